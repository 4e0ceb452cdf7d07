#!/usr/bin/env bash
# bench-scale.sh — the scale benchmark of issue 9 in one command (as root, about 75 minutes on 2 cores):
#   load with 1,000, 5,000 and 10,000 mailboxes polled every 60 s (180-s window, 2 mails/s), then
#   compare fetchmail, mbsync and AlarmInbox over 100 and 1,000 mailboxes.
# Builds Release first and writes docs/benchmarks-scale-latest-run.md (replaced at every run). See docs/benchmarks.md
# ("Scale (issue 9)") for what every column means.
#
#   scripts/bench-scale.sh [load sizes, default "1000 5000 10000"] [compare sizes, default "100,1000"]
# Environment: BENCH_SECONDS (window, default 180), BENCH_INTERVAL (default 60), BENCH_MAIL_RATE (default 2),
#              BENCH_CONCURRENCY (default 16).
set -euo pipefail
cd "$(dirname "$0")/.."
load_sizes="${1:-1000 5000 10000}"
compare_sizes="${2:-100,1000}"

[ "$(id -u)" -eq 0 ] || { echo "bench-scale: run as root (Dovecot switches its mail processes to nobody)." >&2; exit 1; }
scripts/install-bench-tools.sh
# One socket per kept session in the silo, one per session in Dovecot: ask for as many descriptors as allowed.
ulimit -n "$(ulimit -Hn)"

dotnet build -c Release Orleans.sln -nologo -v quiet
bench=(dotnet bench/AlarmInbox.Bench/bin/Release/net10.0/AlarmInbox.Bench.dll)
out=docs/benchmarks-scale-latest-run.md
{
  echo "# Scale benchmark, latest run"
  echo
  echo "Written by \`scripts/bench-scale.sh\` on $(date -u '+%Y-%m-%d %H:%M') UTC, $(nproc) cores, commit $(git rev-parse --short HEAD)$(git diff --quiet || echo ' (with local changes)'). Columns: docs/benchmarks.md, \"Scale (issue 9)\"."
} > "$out"

status=0
for n in $load_sizes; do
  "${bench[@]}" load --mailboxes "$n" --interval "${BENCH_INTERVAL:-60}" --seconds "${BENCH_SECONDS:-180}" \
    --mail-rate "${BENCH_MAIL_RATE:-2}" --concurrency "${BENCH_CONCURRENCY:-16}" --output "$out" || status=$?
  [ "$status" -ne 130 ] || exit 130
done
"${bench[@]}" compare --mailboxes "$compare_sizes" --concurrency "${BENCH_CONCURRENCY:-16}" --output "$out" || status=$?
echo "bench-scale: results in $out"
exit "$status"
