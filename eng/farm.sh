#!/usr/bin/env bash
# Builds and runs the farm (benchmarks/AspNet.Security.OAuth.EllipsisDrive.Farm): nginx in front of two nodes, Redis,
# PostgreSQL and the emulator, all on loopback, simulated users, faults injected one at a time; prints the figures
# (also written to artifacts/farm/figures.md). Needs the Debian packages nginx, redis-server and postgresql.
#   eng/farm.sh                 bounded run (about 3 minutes: 200 users, 10 s baseline, 8 s recovery after each fault)
#   eng/farm.sh --long          60 s baseline, 30 s recovery after each fault
#   eng/farm.sh --users 50 ...  any option of `farm run` (--users, --think-ms, --baseline-seconds, --recovery-seconds,
#                               --access-token-seconds, --refresh-before-seconds, --out)
set -euo pipefail
cd "$(dirname "$0")/.."

for program in nginx redis-server; do
  command -v "$program" >/dev/null || { echo "$program is not installed (apt-get install nginx redis-server postgresql)" >&2; exit 2; }
done
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { echo "PostgreSQL is not installed (apt-get install postgresql)" >&2; exit 2; }

project=benchmarks/AspNet.Security.OAuth.EllipsisDrive.Farm
dotnet build "$project" -c Release --nologo -v quiet

# The driver stops everything it started; this trap is the safety net if the driver itself dies (every id it started
# is in the pid file; PostgreSQL's postmaster is found through its own pid file).
export FARM_PIDFILE; FARM_PIDFILE="$(mktemp)"
export FARM_COMMIT; FARM_COMMIT="$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src benchmarks || echo '+changes')"
driver=""
cleanup() {
  [[ -f "$FARM_PIDFILE" ]] || return 0   # once: a signal, then EXIT
  if [[ -n "$driver" ]] && kill -0 "$driver" 2>/dev/null; then kill -TERM "$driver" 2>/dev/null || true; sleep 2; fi
  for pidfile in "${TMPDIR:-/tmp}"/ellipsisdrive-farm-*/postgres/data/postmaster.pid; do
    [[ -f "$pidfile" ]] || continue
    # Only the clusters whose postgres process was started by this run (its runuser id is in our pid file).
    pid="$(head -n1 "$pidfile")"
    parent="$(ps -o ppid= -p "$pid" 2>/dev/null | tr -d ' ' || true)"
    if [[ -n "$parent" ]] && grep -q "^$parent " "$FARM_PIDFILE"; then kill -INT "$pid" 2>/dev/null || true; fi
  done
  # Each line: a process id and a word of its command line; a process is signalled only if it still has that word.
  while read -r pid marker; do
    [[ -n "$pid" && -n "$marker" ]] || continue
    if [[ -r "/proc/$pid/cmdline" ]] && tr '\0' ' ' < "/proc/$pid/cmdline" | grep -qF -- "$marker"; then
      kill -CONT "$pid" 2>/dev/null || true
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done < "$FARM_PIDFILE"
  rm -f "$FARM_PIDFILE"
}
trap cleanup EXIT INT TERM

dotnet "$project/bin/Release/net10.0/AspNet.Security.OAuth.EllipsisDrive.Farm.dll" run "$@" &
driver=$!
wait "$driver"
