#!/usr/bin/env bash
# Starts AlarmInbox on its embedded default: one silo (SQLite file in the data folder, no database server) and the
# REST API. Ctrl-C stops both.
#
#   ./run.sh                       data in ./data, API on http://localhost:5080
#   ALARMINBOX_DATA_DIR=/srv/alarminbox ALARMINBOX_API_URL=http://0.0.0.0:8080 ./run.sh
#
# The bootstrap operator API key comes from ALARMINBOX_OPERATOR_KEY; without it, one is generated on first start and
# kept in <data>/operator-key (mode 600), so that it survives restarts. It is printed once at start.
set -euo pipefail
cd "$(dirname "$0")"

if [ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ]; then
  cat <<'USAGE'
Usage: ./run.sh    (no arguments; settings come from the environment)

  ALARMINBOX_DATA_DIR       data folder: SQLite file, key ring, spool, operator key (default ./data)
  ALARMINBOX_API_URL        where the API listens (default http://localhost:5080)
  ALARMINBOX_SILO_PORT      silo-to-silo port (default 11111)
  ALARMINBOX_GATEWAY_PORT   port the API uses to reach the silo (default 30000)
  ALARMINBOX_OPERATOR_KEY   bootstrap operator API key (default: generated once into <data>/operator-key)
  ALARMINBOX_SMTP_PORT      inbound SMTP port (default 2525)
  ALARMINBOX_SMTP_BIND      address SMTP listens on (default 127.0.0.1; 0.0.0.0 to receive mail from other hosts)
  ALARMINBOX_EGRESS_LOOPBACK  whether mailboxes and webhooks may target 127.0.0.1 / this host (default true here, for the
                            walk-through's Dovecot on 127.0.0.1:10143; the product's own default is false, see docs/security.md)
  ALARMINBOX_CONFIGURATION  build configuration (default Release)
Any other setting: environment variables such as AlarmInbox__Smtp__Domain=alarm.example.org or URLS=http://localhost:5181
(the silo's /metrics and /health port, default 5081). Ctrl-C stops silo and API.
USAGE
  exit 0
fi

data_dir=$(realpath -m "${ALARMINBOX_DATA_DIR:-./data}")
api_url="${ALARMINBOX_API_URL:-http://localhost:5080}"
silo_port="${ALARMINBOX_SILO_PORT:-11111}"
gateway_port="${ALARMINBOX_GATEWAY_PORT:-30000}"
configuration="${ALARMINBOX_CONFIGURATION:-Release}"
mkdir -p "$data_dir"

if [ -n "${ALARMINBOX_OPERATOR_KEY:-}" ]; then
  operator_key="$ALARMINBOX_OPERATOR_KEY"
else
  key_file="$data_dir/operator-key"
  if [ ! -s "$key_file" ]; then
    (umask 077 && head -c 48 /dev/urandom | base64 | tr -d '=+/\n' > "$key_file")
  fi
  operator_key=$(cat "$key_file")
fi

echo "Building ($configuration)..."
dotnet build Orleans.sln -c "$configuration" -nologo -v quiet -clp:ErrorsOnly

silo_pid=""
api_pid=""
stop() {
  trap - INT TERM EXIT
  echo
  echo "Stopping..."
  [ -n "$api_pid" ] && kill -TERM "$api_pid" 2>/dev/null || true
  [ -n "$api_pid" ] && wait "$api_pid" 2>/dev/null || true
  [ -n "$silo_pid" ] && kill -TERM "$silo_pid" 2>/dev/null || true
  [ -n "$silo_pid" ] && wait "$silo_pid" 2>/dev/null || true
  echo "Stopped."
}
trap stop INT TERM EXIT

dotnet "src/Silo/bin/$configuration/net10.0/AlarmInbox.Silo.dll" \
  --contentRoot "$PWD/src/Silo/bin/$configuration/net10.0" \
  --AlarmInbox:Storage:DataDirectory="$data_dir" \
  --AlarmInbox:Silo:SiloPort="$silo_port" \
  --AlarmInbox:Silo:GatewayPort="$gateway_port" \
  --AlarmInbox:Smtp:Port="${ALARMINBOX_SMTP_PORT:-2525}" \
  --AlarmInbox:Smtp:BindAddress="${ALARMINBOX_SMTP_BIND:-127.0.0.1}" \
  --AlarmInbox:Egress:AllowLoopback="${ALARMINBOX_EGRESS_LOOPBACK:-true}" &
silo_pid=$!

# Wait for the silo's gateway before starting the API (at most 60 s).
for _ in $(seq 1 120); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$gateway_port") 2>/dev/null; then break; fi
  if ! kill -0 "$silo_pid" 2>/dev/null; then echo "The silo exited; see its log above." >&2; exit 1; fi
  sleep 0.5
done

# The key goes in through the environment, not the command line, so it does not show up in the process list.
AlarmInbox__Api__BootstrapOperatorKey="$operator_key" dotnet "src/Api/bin/$configuration/net10.0/AlarmInbox.Api.dll" \
  --contentRoot "$PWD/src/Api/bin/$configuration/net10.0" \
  --urls "$api_url" \
  --AlarmInbox:Cluster:GatewayPort="$gateway_port" &
api_pid=$!

for _ in $(seq 1 120); do
  if curl -fsS -o /dev/null "$api_url/openapi/v1.json" 2>/dev/null; then break; fi
  if ! kill -0 "$api_pid" 2>/dev/null; then echo "The API exited; see its log above." >&2; exit 1; fi
  sleep 0.5
done

echo
echo "AlarmInbox is running."
echo "  Console:    $api_url/  (sign in with the operator key below)"
echo "  API:        $api_url/api/tenants"
echo "  Reference:  $api_url/docs"
echo "  OpenAPI:    $api_url/openapi/v1.json"
echo "  Data:       $data_dir"
echo "  Operator key (for the console's sign-in, and as 'Authorization: Bearer <key>' for the API):"
echo "    export AI_KEY=$operator_key"
echo "Press Ctrl-C to stop."
wait -n "$silo_pid" "$api_pid" || true
