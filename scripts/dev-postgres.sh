#!/usr/bin/env bash
# dev-postgres.sh — a throwaway PostgreSQL on 127.0.0.1 for development, tests and scripts/cluster-start.sh.
#
# The whole instance (data, socket, log) lives in one folder; it is started with pg_ctl from Debian's packages, never
# as a system service. initdb refuses to run as root, so as root the server runs as the 'postgres' system user.
# Authentication is 'trust' on loopback only: this is a development database, not a production one.
#
#   scripts/dev-postgres.sh start     start (initdb first if the folder is empty); prints the admin connection string
#   scripts/dev-postgres.sh stop      stop it (fast shutdown) and wait
#   scripts/dev-postgres.sh status    exit 0 if running
#   scripts/dev-postgres.sh url       print the admin connection string (Npgsql format)
#
# ALARMINBOX_PG_DIR (default .dev-postgres) and ALARMINBOX_PG_PORT (default 15432) choose folder and port.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"
PG_DIR="$(realpath -m -- "${ALARMINBOX_PG_DIR:-$REPO_ROOT/.dev-postgres}")"
PG_PORT="${ALARMINBOX_PG_PORT:-15432}"
PG_USER=alarminbox
DATA="$PG_DIR/data"
LOG="$PG_DIR/postgres.log"

bin_dir() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$dir" ] || [ ! -x "$dir/pg_ctl" ]; then
    echo "dev-postgres: PostgreSQL server binaries not found under /usr/lib/postgresql; run scripts/install-deps.sh as root." >&2
    exit 1
  fi
  echo "$dir"
}

# Runs a PostgreSQL tool as a non-root user.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

url() { echo "Host=127.0.0.1;Port=$PG_PORT;Username=$PG_USER;Database=postgres;Pooling=true"; }

start() {
  local bin; bin=$(bin_dir)
  mkdir -p "$PG_DIR"
  if [ "$(id -u)" -eq 0 ]; then chown postgres "$PG_DIR"; fi
  if [ ! -f "$DATA/PG_VERSION" ]; then
    as_owner "$bin/initdb" -D "$DATA" -U "$PG_USER" --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 \
      || { cat "$PG_DIR/initdb.log" >&2; exit 1; }
  fi
  if as_owner "$bin/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
    as_owner "$bin/pg_ctl" -D "$DATA" stop -m fast -w >/dev/null
  fi
  # Loopback only, socket in the data folder (not /var/run/postgresql), small footprint; fsync off: throwaway data.
  as_owner "$bin/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 start \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $DATA -c max_connections=200 -c shared_buffers=64MB -c fsync=off -c synchronous_commit=off -c full_page_writes=off" >/dev/null \
    || { tail -n 30 "$LOG" >&2; exit 1; }
  echo "$PG_PORT" > "$PG_DIR/port"
  echo "PostgreSQL running on 127.0.0.1:$PG_PORT (data $DATA)"
  echo "Admin connection string: $(url)"
}

stop() {
  local bin; bin=$(bin_dir)
  if [ -f "$DATA/PG_VERSION" ] && as_owner "$bin/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
    as_owner "$bin/pg_ctl" -D "$DATA" stop -m fast -w -t 60 >/dev/null
  fi
}

status() {
  local bin; bin=$(bin_dir)
  [ -f "$DATA/PG_VERSION" ] && as_owner "$bin/pg_ctl" -D "$DATA" status
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  url) url ;;
  *) sed -n '2,14p' "$0" >&2; exit 2 ;;
esac
