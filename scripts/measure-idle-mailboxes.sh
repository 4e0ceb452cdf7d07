#!/usr/bin/env bash
# measure-idle-mailboxes.sh — memory of one silo holding N idle mailboxes (default 1000), in cluster mode on PostgreSQL.
#
# Starts a throwaway Dovecot (20 users) and a one-silo cluster (scripts/cluster-start.sh) on free ports in a temporary
# folder, creates N mailboxes through the API (spread over the users, polling every 60 s, nothing new to fetch), lets
# them poll for a while, and prints the silo's resident memory (VmRSS) before and after, plus the mailbox gauge from
# the silo's /metrics. Everything is stopped and removed at the end. Results go into docs/cluster.md by hand.
#
#   scripts/measure-idle-mailboxes.sh [N] [settle seconds, default 120]
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-1000}"
settle="${2:-120}"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

work=$(mktemp -d /tmp/ai-measure.XXXXXX)
chmod 755 "$work"
export ALARMINBOX_OPERATOR_KEY=$(head -c 48 /dev/urandom | base64 | tr -d '=+/\n')
export ALARMINBOX_CLUSTER_DIR="$work/cluster" ALARMINBOX_PG_PORT=$(free_port) ALARMINBOX_API_URL="http://127.0.0.1:$(free_port)"
export ALARMINBOX_SILO_PORT=$(free_port) ALARMINBOX_GATEWAY_PORT=$(free_port) ALARMINBOX_SILO_HTTP_PORT=$(free_port)
export ALARMINBOX_IMAP_DIR="$work/imap" ALARMINBOX_IMAP_PORT=$(free_port) ALARMINBOX_IMAPS_PORT=$(free_port)
cleanup() { cp -r "$ALARMINBOX_CLUSTER_DIR/logs" "${TMPDIR:-/tmp}/ai-measure-logs" 2>/dev/null || true; scripts/cluster-stop.sh >/dev/null 2>&1 || true; scripts/dev-imap.sh stop >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT

scripts/dev-imap.sh start >/dev/null
for u in $(seq 1 20); do scripts/dev-imap.sh add-user "u$u@ff-measure.example" geheim >/dev/null; done
scripts/cluster-start.sh 1 >/dev/null
silo_pid=$(awk '$1=="silo1"{print $2}' "$ALARMINBOX_CLUSTER_DIR/pids")
rss() { awk '/^VmRSS/{print int($2/1024)}' "/proc/$silo_pid/status"; }
api="$ALARMINBOX_API_URL"

auth="Authorization: Bearer $ALARMINBOX_OPERATOR_KEY"
curl -fsS -o /dev/null -H "$auth" "$api/health/ready"
baseline=$(rss)
curl -fsS -o /dev/null -X POST "$api/api/tenants" -H "$auth" -H 'Content-Type: application/json' -d '{"id":"ff-measure","name":"Messung"}'
start=$(date +%s)
for i in $(seq 1 "$n"); do
  u=$(( (i % 20) + 1 ))
  curl -fsS -o /dev/null -X POST "$api/api/tenants/ff-measure/mailboxes" -H "$auth" -H 'Content-Type: application/json' \
    -d "{\"displayName\":\"M$i\",\"host\":\"127.0.0.1\",\"port\":$ALARMINBOX_IMAP_PORT,\"security\":\"None\",\"username\":\"u$u@ff-measure.example\",\"password\":\"geheim\",\"pollIntervalSeconds\":60}"
done
created=$(( $(date +%s) - start ))
after_create=$(rss)
sleep "$settle"
settled=$(rss)
gauge=$(curl -fsS "http://127.0.0.1:$ALARMINBOX_SILO_HTTP_PORT/metrics" | grep '^alarminbox_mailboxes{' | tr '\n' ' ')
polls=$(curl -fsS "http://127.0.0.1:$ALARMINBOX_SILO_HTTP_PORT/metrics" | grep '^alarminbox_mailbox_polls_total{' | tr '\n' ' ')

echo "mailboxes: $n (created in ${created} s through the API, poll interval 60 s, one silo on PostgreSQL)"
echo "silo RSS: ${baseline} MB before, ${after_create} MB after creating, ${settled} MB after ${settle} s more of polling"
echo "per mailbox: $(( (settled - baseline) * 1024 / n )) KB of RSS"
echo "gauge: $gauge"
echo "polls: $polls"
