#!/usr/bin/env bash
# cluster-stop.sh — stops what scripts/cluster-start.sh started: the API, then each silo (SIGTERM: a graceful shutdown
# that hands mailboxes over), then PostgreSQL. Data stays in the cluster folder; remove it to start afresh.
set -euo pipefail
cd "$(dirname "$0")/.."
cluster_dir=$(realpath -m "${ALARMINBOX_CLUSTER_DIR:-$PWD/.cluster}")

stop_pid() { # name pid
  if kill -0 "$2" 2>/dev/null; then
    kill -TERM "$2" 2>/dev/null || true
    for _ in $(seq 1 120); do kill -0 "$2" 2>/dev/null || { echo "stopped $1"; return 0; }; sleep 0.5; done
    echo "$1 (pid $2) did not stop within 60 s; killing it." >&2
    kill -KILL "$2" 2>/dev/null || true
  fi
}

if [ -f "$cluster_dir/pids" ]; then
  # API first, then the silos in reverse order.
  tac "$cluster_dir/pids" | while read -r name pid; do stop_pid "$name" "$pid"; done
  rm -f "$cluster_dir/pids"
fi
ALARMINBOX_PG_DIR="$cluster_dir/postgres" scripts/dev-postgres.sh stop && echo "stopped postgres"
