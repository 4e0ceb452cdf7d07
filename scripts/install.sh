#!/usr/bin/env bash
# install.sh — installs AlarmInbox as two systemd services on this machine (run as root):
#   programs   /opt/alarminbox/{silo,api}   Release builds (dotnet publish), owned by root, read-only for the services
#   settings   /etc/alarminbox/alarminbox.env   written once (0640 root:alarminbox), kept on upgrade
#   data       /var/lib/alarminbox   SQLite database, key ring, SMTP spool (0700, files 0600), owned by the service user
#   user       alarminbox (system user, no login)
#   units      /etc/systemd/system/alarminbox-silo.service, alarminbox-api.service (hardened, restart on failure)
#
#   scripts/install.sh                       install, or upgrade in place (data and settings stay; running services restart)
#   scripts/install.sh --uninstall           remove programs and units; keep data, settings and the user
#   scripts/install.sh --uninstall --purge   also remove data, settings and the user
# Options: --no-build (publish the last Release build), --root DIR (install everything below DIR with paths pointing
# there, no systemctl calls: for tests and packaging). Needs the .NET 10 SDK (dotnet on PATH) to publish.
# Then: systemctl enable --now alarminbox-silo alarminbox-api  (without systemd: docs/operations.md).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

root=""
uninstall=0
purge=0
build=1
while [ $# -gt 0 ]; do
  case "$1" in
    --root) root=$(realpath -m "$2"); shift 2 ;;
    --uninstall) uninstall=1; shift ;;
    --purge) purge=1; shift ;;
    --no-build) build=0; shift ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
if [ "$(id -u)" -ne 0 ]; then echo "install.sh: run as root." >&2; exit 1; fi
if [ "$purge" = 1 ] && [ "$uninstall" = 0 ]; then echo "install.sh: --purge goes with --uninstall." >&2; exit 2; fi

user=alarminbox
prefix="$root/opt/alarminbox"
etc="$root/etc/alarminbox"
data="$root/var/lib/alarminbox"
units="$root/etc/systemd/system"
services=(alarminbox-silo alarminbox-api)
systemd=0
if [ -z "$root" ] && [ -d /run/systemd/system ]; then systemd=1; fi

if [ "$uninstall" = 1 ]; then
  if [ "$systemd" = 1 ]; then
    systemctl disable --now "${services[@]/%/.service}" 2>/dev/null || true
  fi
  rm -f "$units/alarminbox-silo.service" "$units/alarminbox-api.service"
  [ "$systemd" = 1 ] && systemctl daemon-reload
  rm -rf "$prefix" "$prefix.new" "$prefix.old"
  if [ "$purge" = 1 ]; then
    rm -rf "$data" "$etc"
    if [ -z "$root" ] && id "$user" >/dev/null 2>&1; then userdel "$user" 2>/dev/null || true; fi
    echo "install.sh: AlarmInbox removed with its data, settings and user."
  else
    echo "install.sh: AlarmInbox removed; data kept in $data, settings in $etc (--uninstall --purge removes them)."
  fi
  exit 0
fi

dotnet=$(command -v dotnet || true)
if [ -z "$dotnet" ]; then echo "install.sh: the .NET 10 SDK is required (dotnet on PATH)." >&2; exit 1; fi
dotnet=$(readlink -f "$dotnet")

# 1. The service user: a system account without login whose home is the data folder.
if ! id "$user" >/dev/null 2>&1; then
  useradd --system --user-group --home-dir /var/lib/alarminbox --no-create-home --shell /usr/sbin/nologin "$user"
fi

# 2. Programs: publish into a new folder, then swap it in (a running service keeps its open files until restarted).
stage="$prefix.new"
rm -rf "$stage"
mkdir -p "$stage"
publish=(-c Release -nologo -v quiet)
[ "$build" = 0 ] && publish+=(--no-build)
dotnet publish src/Silo/Silo.csproj "${publish[@]}" -o "$stage/silo"
dotnet publish src/Api/Api.csproj "${publish[@]}" -o "$stage/api"
mkdir -p "$stage/bin" "$stage/docs"
cp docs/operations.md docs/alerts.yml "$stage/docs/"
fill() {
  sed -e "s|@PREFIX@|$prefix|g" -e "s|@ETC@|$etc|g" -e "s|@DATA@|$data|g" -e "s|@DOTNET@|$dotnet|g" -e "s|@USER@|$user|g" "$1"
}
fill deploy/alarminbox-run > "$stage/bin/alarminbox-run"
chown -R root:root "$stage"
chmod -R u=rwX,go=rX "$stage"
chmod 755 "$stage/bin/alarminbox-run"
if [ -d "$prefix" ]; then
  rm -rf "$prefix.old"
  mv "$prefix" "$prefix.old"
fi
mv "$stage" "$prefix"
rm -rf "$prefix.old"

# 3. Data folder: owner-only; an upgrade keeps what is there and only tightens ownership and modes.
mkdir -p "$data"
chown -R "$user:$user" "$data"
chmod 700 "$data"
find "$data" -mindepth 1 \( -type d -exec chmod go-rwx {} + \) -o \( -type f -exec chmod go-rwx {} + \)

# 4. Settings: written once, with a new bootstrap operator key; never overwritten.
mkdir -p "$etc"
chmod 755 "$etc"
if [ ! -f "$etc/alarminbox.env" ]; then
  key=$(head -c 48 /dev/urandom | base64 | tr -d '=+/\n')
  (umask 027 && fill deploy/alarminbox.env | sed -e "s|@OPERATOR_KEY@|$key|" > "$etc/alarminbox.env")
  echo "install.sh: wrote $etc/alarminbox.env with a new bootstrap operator key."
fi
chown "root:$user" "$etc/alarminbox.env"
chmod 640 "$etc/alarminbox.env"

# 5. Units.
mkdir -p "$units"
for service in "${services[@]}"; do
  fill "deploy/$service.service" > "$units/$service.service"
  chmod 644 "$units/$service.service"
done

if [ "$systemd" = 1 ]; then
  systemctl daemon-reload
  for service in "${services[@]}"; do
    if systemctl is-active --quiet "$service"; then systemctl restart "$service"; fi
  done
  echo "install.sh: installed. Start with: systemctl enable --now alarminbox-silo alarminbox-api"
else
  echo "install.sh: installed in ${root:-/}. systemd is not running here; start with:"
  echo "  $prefix/bin/alarminbox-run silo &   $prefix/bin/alarminbox-run api &   (docs/operations.md)"
fi
