#!/usr/bin/env bash
# Installs the real servers the test suite drives: PostgreSQL (programme records on a real
# database) and Chromium (browser tests of the dashboard). Both come from Debian's packages.
# Skips what is already there, so running it twice costs nothing.
set -euo pipefail

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
else
  SUDO=
fi
echo "installing from Debian's packages: ${need[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" fonts-dejavu-core >/dev/null
