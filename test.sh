#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine: installs what is missing, starts a throwaway Dovecot and a throwaway
# PostgreSQL on loopback (own folders and free ports, not system services), runs every test, stops both again.
# Tests create their own ai_test_<random> databases and drop them.
#
#   ./test.sh                         all tests
#   ./test.sh --filter "FullyQualifiedName~Mime"   extra arguments go to 'dotnet test'
set -euo pipefail
cd "$(dirname "$0")"
root=$PWD

scripts/install-deps.sh

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

run_dir=$(mktemp -d /tmp/ai-test.XXXXXX)
chmod 755 "$run_dir"
export ALARMINBOX_TEST_IMAP_DIR="$run_dir/imap"
export ALARMINBOX_TEST_IMAP_PORT=$(free_port)
export ALARMINBOX_TEST_IMAPS_PORT=$(free_port)
pg_dir="$run_dir/postgres"
pg_port=$(free_port)

cleanup() {
  ALARMINBOX_PG_DIR="$pg_dir" ALARMINBOX_PG_PORT="$pg_port" scripts/dev-postgres.sh stop >/dev/null 2>&1 || true
  ALARMINBOX_IMAP_DIR="$ALARMINBOX_TEST_IMAP_DIR" ALARMINBOX_IMAP_PORT="$ALARMINBOX_TEST_IMAP_PORT" \
    ALARMINBOX_IMAPS_PORT="$ALARMINBOX_TEST_IMAPS_PORT" scripts/dev-imap.sh stop >/dev/null 2>&1 || true
  rm -rf "$run_dir"
}
trap cleanup EXIT

ALARMINBOX_IMAP_DIR="$ALARMINBOX_TEST_IMAP_DIR" ALARMINBOX_IMAP_PORT="$ALARMINBOX_TEST_IMAP_PORT" \
  ALARMINBOX_IMAPS_PORT="$ALARMINBOX_TEST_IMAPS_PORT" scripts/dev-imap.sh start
ALARMINBOX_PG_DIR="$pg_dir" ALARMINBOX_PG_PORT="$pg_port" scripts/dev-postgres.sh start
export ALARMINBOX_TEST_PG=$(ALARMINBOX_PG_DIR="$pg_dir" ALARMINBOX_PG_PORT="$pg_port" scripts/dev-postgres.sh url)

dotnet restore Orleans.sln -nologo -v quiet
dotnet build Orleans.sln -c Release --no-restore -nologo -v quiet -clp:ErrorsOnly

log="$run_dir/test.log"
set +e
dotnet test Orleans.sln -c Release --no-build -nologo --logger "console;verbosity=normal" "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# The failed tests with the first lines of their error, repeated at the end where a truncated CI log still shows them,
# then one closing line in the plain form CI reads: "N passed, N failed, N skipped".
python3 - "$log" <<'PY'
import re, sys
counts = {"passed": 0, "failed": 0, "skipped": 0}
lines = open(sys.argv[1], encoding="utf-8", errors="replace").read().splitlines()
failures = []
for i, line in enumerate(lines):
    m = re.match(r"^\s+Failed (\S.*?) \[[^\]]*\]\s*$", line)
    if m:
        detail = []
        for l in lines[i + 1:i + 40]:
            t = l.strip()
            if re.match(r"^(Passed|Failed|Skipped) ", t) or (t.startswith("at ") and detail and detail[-1].startswith("at ")):
                break
            if t and t != "Stack Trace:" and not (t.startswith("at ") and "AlarmInbox" not in t):
                detail.append(t)
        detail = detail[:8]
        failures.append((m.group(1), detail))
if failures:
    print(f"--- {len(failures)} failed test(s):")
    for name, detail in failures:
        print(f"FAILED {name}")
        for d in detail:
            print(f"    {d[:300]}")
for line in lines:
    m = re.search(r"(?:Passed|Failed)!\s+-\s+Failed:\s+(\d+),\s+Passed:\s+(\d+),\s+Skipped:\s+(\d+)", line)
    if m:
        counts["failed"] += int(m.group(1)); counts["passed"] += int(m.group(2)); counts["skipped"] += int(m.group(3))
        continue
    m = re.match(r"^\s+(Passed|Failed|Skipped):\s+(\d+)\s*$", line)
    if m:
        counts[m.group(1).lower()] += int(m.group(2))
print(f"{counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped")
PY
exit "$status"
