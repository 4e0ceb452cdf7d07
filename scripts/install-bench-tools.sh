#!/usr/bin/env bash
# install-bench-tools.sh — installs the clients that the scale comparison times (apt packages fetchmail and isync,
# which ships mbsync), if missing. Debian 12, as root. Not part of install-deps.sh: CI does not need them.
set -euo pipefail

need=()
for pkg in fetchmail isync; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then need+=("$pkg"); fi
done
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-bench-tools: missing ${need[*]}; run as root (or install them) first." >&2
  exit 1
fi
echo "install-bench-tools: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
