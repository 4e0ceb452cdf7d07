#!/usr/bin/env bash
# Installs what the tests and the dev scripts need on a fresh Debian 12 machine (as root): Dovecot (pinned: the
# OAuth2 settings of this Debian build differ from upstream 2.3 docs), PostgreSQL (server binaries for
# scripts/dev-postgres.sh; no cluster or service of its own), swaks (an SMTP test client), systemd (systemd-analyze checks
# the service units of scripts/install.sh), prometheus (for promtool, which checks docs/alerts.yml; Debian has no smaller
# package with promtool; its service is not started), chromium (the console's browser tests drive it through
# Playwright) and small tools. Idempotent: installs only what is missing, and runs 'apt-get update' only then.
set -euo pipefail

DOVECOT_VERSION="1:2.3.19.1+dfsg1-2.1+deb12u7"

need=()
installed_version() { dpkg-query -W -f='${Status} ${Version}' "$1" 2>/dev/null | awk '$3=="installed"{print $4}'; }

for pkg in dovecot-core dovecot-imapd; do
  if [ "$(installed_version "$pkg")" != "$DOVECOT_VERSION" ]; then need+=("$pkg=$DOVECOT_VERSION"); fi
done
for pkg in openssl curl python3 ca-certificates postgresql postgresql-client swaks systemd prometheus chromium fonts-dejavu-core; do
  if [ -z "$(installed_version "$pkg")" ]; then need+=("$pkg"); fi
done

if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing packages ${need[*]}; run as root (or install them) first." >&2
    exit 1
  fi
  echo "install-deps: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # policy-rc.d keeps apt from starting Dovecot (and Prometheus) as a system service; the tests run their own.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  # The Debian package would create and start a 'main' cluster on port 5432; the tests run their own instance.
  if [ ! -e /etc/postgresql-common/createcluster.conf ]; then
    mkdir -p /etc/postgresql-common && echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.conf
  fi
  UCF_FORCE_CONFFOLD=1 apt-get install -y -qq --no-install-recommends -o Dpkg::Options::=--force-confold "${need[@]}" >/dev/null
fi

if ! command -v dotnet >/dev/null 2>&1; then
  echo "install-deps: the .NET SDK 10 is required (dotnet on PATH)." >&2
  exit 1
fi
echo "install-deps: ok (dovecot $(installed_version dovecot-core), postgresql $(installed_version postgresql), dotnet $(dotnet --version))"
