#!/usr/bin/env bash
# Regenerates go.work from the modules of the repository. Each go.mod keeps
# its own replace directives, so GOWORK=off builds of one module still work.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -f go.work go.work.sum
go work init
for m in proto shared cloud agent tests tools; do go work use "./$m"; done
