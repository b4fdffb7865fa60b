#!/usr/bin/env bash
# Regenerates proto/gen from the .proto files with the generator versions
# pinned in tools/go.mod and Debian's protoc (libprotoc 3.21.12 on bookworm).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
(cd tools && go build -o "$bin/" google.golang.org/protobuf/cmd/protoc-gen-go google.golang.org/grpc/cmd/protoc-gen-go-grpc)
cd proto
rm -rf gen
mkdir -p gen
PATH="$bin:$PATH" protoc -I . \
  --go_out=gen --go_opt=paths=source_relative \
  --go-grpc_out=gen --go-grpc_opt=paths=source_relative \
  $(find hrsync -name '*.proto' | sort)
