#!/usr/bin/env bash
# Endpoint benchmark through the running stack (make stack): every scenario of
# bench/stack/paths.py through nginx at BENCH_CONNECTIONS (50) connections, each run directly
# after a run of /health/live (the reference: the same path through nginx, a server and
# Django with no app work), so each figure has its reference from the same minute.
#
#   bash bench/stack/run.sh LABEL      (results: var/stack/bench/LABEL.jsonl)
#
# Knobs: BENCH_DURATION (s, 20), BENCH_WARMUP (s, 5), BENCH_CONNECTIONS (50),
# BENCH_SCENARIOS (lists filtered search detail detail_user recommendations like like_popular),
# BENCH_USERS (users with tokens, 2000). The stack must run with throttles out of the
# benchmark's way: STACK_THROTTLE_ANON=60000000/min STACK_THROTTLE_USER=60000000/min make stack.
set -euo pipefail
cd "$(dirname "$0")/../.."
label=${1:?usage: bench/stack/run.sh LABEL}
set -a
# shellcheck disable=SC1091
. var/stack/env
set +a
DURATION=${BENCH_DURATION:-20}
WARMUP=${BENCH_WARMUP:-5}
CONNECTIONS=${BENCH_CONNECTIONS:-50}
SCENARIOS=${BENCH_SCENARIOS:-lists filtered search detail detail_user recommendations like like_popular}
out=var/stack/bench
mkdir -p "$out/$label"
.venv/bin/python bench/stack/paths.py "$out/$label" --users "${BENCH_USERS:-2000}"

drive() {  # name seconds
  BENCH_NAME=$1 BENCH_MIX="$out/$label/$1.txt" wrk -t 2 -c "$CONNECTIONS" -d "${2}s" \
    --timeout 10s -s bench/stack/mix.lua "$STACK_URL" | grep '^{'
}

measure() {  # name seconds: drive, with where the CPU went per request (bench/stack/cpu.py)
  .venv/bin/python bench/stack/cpu.py snapshot "$out/$label/cpu-before.json"
  drive "$@" | .venv/bin/python bench/stack/cpu.py measure "$out/$label/cpu-before.json"
}

settle() {  # wait (at most 10 s) until the stack answers /health/live within 50 ms again:
  # requests still queued in the servers when wrk stops (up to one per connection) would
  # otherwise be answered during the next run and lengthen its latencies
  for _ in $(seq 1 20); do
    seconds=$(curl -s -o /dev/null -w '%{time_total}' "$STACK_URL/health/live" || echo 9)
    awk -v s="$seconds" 'BEGIN { exit !(s < 0.05) }' && return 0
    sleep 0.5
  done
}

results="$out/$label.jsonl"
: >"$results"
printf '{"label": "%s", "connections": %s, "duration": %s, "load": "%s", "at": "%s"}\n' \
  "$label" "$CONNECTIONS" "$DURATION" "$(cut -d' ' -f1-3 /proc/loadavg)" "$(date -u +%FT%TZ)" \
  | tee -a "$results"
for name in $SCENARIOS; do
  if [ ! -s "$out/$label/$name.txt" ]; then  # like_again before anyone has liked anything
    echo "bench: no requests for $name in this database, skipped" >&2
    continue
  fi
  drive "$name" "$WARMUP" >/dev/null
  settle
  measure reference "$DURATION" | sed "s/\"reference\"/\"reference:$name\"/" \
    | tee -a "$results"
  settle
  measure "$name" "$DURATION" | tee -a "$results"
  settle
done
.venv/bin/python bench/stack/report.py "$results"
