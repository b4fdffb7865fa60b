#!/usr/bin/env bash
# Installs the Debian packages hrsync's demo and tests need: a Samba AD DC,
# OpenLDAP's slapd (shared/slapdtest starts throwaway directories from it)
# and client tools, protoc with the well-known types (libprotobuf-dev:
# protobuf-compiler only recommends it, and we install without
# recommends), the PostgreSQL server (tests start throwaway servers from
# its binaries, see cloud/cloudtest/pgtest) and tinyproxy (the agent's
# proxy tests, see shared/proxytest). Runs apt-get only when something is
# missing, so repeated runs are fast.
set -euo pipefail

need=()
have() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
for pkg in samba samba-ad-dc samba-ad-provision slapd ldap-utils protobuf-compiler libprotobuf-dev iproute2 postgresql tinyproxy; do
  have "$pkg" || need+=("$pkg")
done
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing Debian packages: ${need[*]}; run as root or install them with apt-get" >&2
  exit 1
fi
echo "install-deps: installing ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
# The Debian samba, slapd, postgresql and tinyproxy packages start system
# daemons on install; hrsync runs its own throwaway DCs, directories,
# databases and proxies, needs the ports on 127.0.0.1 free and has no use
# for the system services.
for svc in samba-ad-dc smbd nmbd winbind slapd postgresql tinyproxy; do
  (systemctl stop "$svc" 2>/dev/null || service "$svc" stop 2>/dev/null || true) >/dev/null 2>&1
done
