#!/usr/bin/env bash
# cluster-start.sh — a local AlarmInbox cluster: a PostgreSQL in a local data folder, N silos on their own ports and the
# REST API, all in the background. scripts/cluster-stop.sh stops them. See README "Running a cluster".
#
#   scripts/cluster-start.sh            2 silos
#   scripts/cluster-start.sh 3          3 silos
#
# Settings (environment): ALARMINBOX_CLUSTER_DIR (default .cluster: database, key ring, logs, pids),
# ALARMINBOX_PG_PORT (15432), ALARMINBOX_API_URL (http://localhost:5080), ALARMINBOX_SILO_PORT (11111, +1 per silo),
# ALARMINBOX_GATEWAY_PORT (30000, +1 per silo), ALARMINBOX_SILO_HTTP_PORT (5091, +1 per silo: /metrics, /health),
# ALARMINBOX_CONFIGURATION (Release), ALARMINBOX_SKIP_BUILD=1 to use the last build,
# ALARMINBOX_EGRESS_LOOPBACK (true here, so that the walk-through's Dovecot on 127.0.0.1 can be used; the product's
# default is false: docs/security.md, "Outbound connections").
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

silos="${1:-2}"
cluster_dir=$(realpath -m "${ALARMINBOX_CLUSTER_DIR:-$root/.cluster}")
pg_port="${ALARMINBOX_PG_PORT:-15432}"
api_url="${ALARMINBOX_API_URL:-http://localhost:5080}"
silo_port="${ALARMINBOX_SILO_PORT:-11111}"
gateway_port="${ALARMINBOX_GATEWAY_PORT:-30000}"
http_port="${ALARMINBOX_SILO_HTTP_PORT:-5091}"
configuration="${ALARMINBOX_CONFIGURATION:-Release}"
database=alarminbox

if ! [[ "$silos" =~ ^[1-9][0-9]?$ ]]; then echo "usage: $0 [number of silos, 1-99]" >&2; exit 2; fi
if [ -f "$cluster_dir/pids" ]; then echo "A cluster seems to run already ($cluster_dir/pids); run scripts/cluster-stop.sh first." >&2; exit 1; fi
mkdir -p "$cluster_dir/logs" "$cluster_dir/keys"

if [ "${ALARMINBOX_SKIP_BUILD:-0}" != 1 ]; then
  echo "Building ($configuration)..."
  dotnet build Orleans.sln -c "$configuration" -nologo -v quiet -clp:ErrorsOnly
fi

export ALARMINBOX_PG_DIR="$cluster_dir/postgres" ALARMINBOX_PG_PORT="$pg_port"
scripts/dev-postgres.sh start >/dev/null
if ! psql -h 127.0.0.1 -p "$pg_port" -U alarminbox -d postgres -Atc "SELECT 1 FROM pg_database WHERE datname = '$database'" | grep -q 1; then
  psql -h 127.0.0.1 -p "$pg_port" -U alarminbox -d postgres -qc "CREATE DATABASE $database" >/dev/null
fi
connection="Host=127.0.0.1;Port=$pg_port;Username=alarminbox;Database=$database"

wait_http() { # url pid what
  for _ in $(seq 1 240); do
    if curl -fsS -o /dev/null "$1" 2>/dev/null; then return 0; fi
    if ! kill -0 "$2" 2>/dev/null; then echo "$3 exited; see its log in $cluster_dir/logs." >&2; return 1; fi
    sleep 0.5
  done
  echo "$3 did not become ready within 120 s; see $cluster_dir/logs." >&2
  return 1
}

: > "$cluster_dir/pids"
silo_dir="src/Silo/bin/$configuration/net10.0"
for i in $(seq 1 "$silos"); do
  offset=$((i - 1))
  nohup dotnet "$silo_dir/AlarmInbox.Silo.dll" \
    --contentRoot "$root/$silo_dir" \
    --urls "http://127.0.0.1:$((http_port + offset))" \
    --AlarmInbox:Storage:Provider=PostgreSql \
    --AlarmInbox:Storage:ConnectionString="$connection" \
    --AlarmInbox:Storage:DataDirectory="$cluster_dir/silo$i" \
    --AlarmInbox:Storage:KeyDirectory="$cluster_dir/keys" \
    --AlarmInbox:Silo:AdvertisedAddress=127.0.0.1 \
    --AlarmInbox:Silo:SiloPort=$((silo_port + offset)) \
    --AlarmInbox:Silo:GatewayPort=$((gateway_port + offset)) \
    --AlarmInbox:Smtp:Port=$((${ALARMINBOX_SMTP_PORT:-2525} + offset)) \
    --AlarmInbox:Egress:AllowLoopback="${ALARMINBOX_EGRESS_LOOPBACK:-true}" \
    >"$cluster_dir/logs/silo$i.log" 2>&1 &
  echo "silo$i $!" >> "$cluster_dir/pids"
done
i=0
while read -r name pid; do
  i=$((i + 1))
  wait_http "http://127.0.0.1:$((http_port + i - 1))/health/ready" "$pid" "$name"
  echo "$name ready (pid $pid, silo port $((silo_port + i - 1)), gateway $((gateway_port + i - 1)), http://127.0.0.1:$((http_port + i - 1))/metrics)"
done < "$cluster_dir/pids"

# The API's bootstrap operator key: ALARMINBOX_OPERATOR_KEY, or one generated once into the cluster folder (mode 600).
if [ -n "${ALARMINBOX_OPERATOR_KEY:-}" ]; then
  operator_key="$ALARMINBOX_OPERATOR_KEY"
else
  if [ ! -s "$cluster_dir/operator-key" ]; then
    (umask 077 && head -c 48 /dev/urandom | base64 | tr -d '=+/\n' > "$cluster_dir/operator-key")
  fi
  operator_key=$(cat "$cluster_dir/operator-key")
fi

api_dir="src/Api/bin/$configuration/net10.0"
AlarmInbox__Api__BootstrapOperatorKey="$operator_key" nohup dotnet "$api_dir/AlarmInbox.Api.dll" \
  --contentRoot "$root/$api_dir" \
  --urls "$api_url" \
  --AlarmInbox:Cluster:Provider=PostgreSql \
  --AlarmInbox:Cluster:ConnectionString="$connection" \
  >"$cluster_dir/logs/api.log" 2>&1 &
api_pid=$!
echo "api $api_pid" >> "$cluster_dir/pids"
wait_http "$api_url/health/live" "$api_pid" "The API"

echo
echo "AlarmInbox cluster is running: $silos silos on PostgreSQL 127.0.0.1:$pg_port (database $database)."
echo "  API:        $api_url/api/tenants"
echo "  Dashboard:  $api_url/dashboard"
echo "  Health:     $api_url/health/live (open), $api_url/health/ready (with the key)"
echo "  Operator key: $operator_key   (curl -H \"Authorization: Bearer \$KEY\" …; kept in $cluster_dir/operator-key)"
echo "  Metrics:    $api_url/metrics (API), http://127.0.0.1:$http_port/metrics (silo1, +1 per silo)"
echo "  Logs:       $cluster_dir/logs"
echo "Stop it with scripts/cluster-stop.sh."
