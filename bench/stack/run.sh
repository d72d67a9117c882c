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
# BENCH_USERS (users with tokens, 2000), BENCH_SETTLE_DUE (s, 120: how long to wait before
# each scenario for the recommendation refreshes the previous one made due, so each run pays
# for its own background work only; 0 skips the wait), BENCH_WORKERS (running, or stopped:
# the workers and beat are paused with SIGSTOP for each measured run and resumed after it, the
# request path alone, as in Kubernetes where the workers have CPUs of their own; their
# statements then run later, outside the measurement). The stack must run with throttles out
# of the benchmark's way: STACK_THROTTLE_ANON=60000000/min STACK_THROTTLE_USER=60000000/min
# make stack.
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
SETTLE_DUE=${BENCH_SETTLE_DUE:-120}
WORKERS=${BENCH_WORKERS:-running}
case "$WORKERS" in
  running | stopped) ;;
  *) echo "bench: BENCH_WORKERS must be running or stopped, not $WORKERS" >&2 && exit 2 ;;
esac
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

background_pids() {  # the workers, beat and their child processes
  local file pid
  for file in var/stack/run/worker-*.pid var/stack/run/beat.pid; do
    [ -f "$file" ] || continue
    pid=$(cat "$file")
    kill -0 "$pid" 2>/dev/null || continue
    echo "$pid"
    pgrep -P "$pid" || true
  done
}

background() {  # STOP or CONT the workers and beat (BENCH_WORKERS=stopped only)
  [ "$WORKERS" = stopped ] || return 0
  local pid
  for pid in $(background_pids); do kill "-$1" "$pid" 2>/dev/null || true; done
}
trap 'background CONT' EXIT

settle_due() {  # wait (at most SETTLE_DUE s) until no recommendation refresh is due
  local due=unknown
  [ "$SETTLE_DUE" -gt 0 ] || return 0
  for _ in $(seq 1 "$((SETTLE_DUE * 2))"); do
    due=$(psql -X -A -t -d "$STACK_PRIMARY_URL" \
      -c "SELECT count(*) FROM recommendation_states WHERE refresh_due_at IS NOT NULL") || return 0
    [ "$due" = 0 ] && return 0
    sleep 0.5
  done
  echo "bench: $due recommendation refreshes still due after ${SETTLE_DUE} s" >&2
}

results="$out/$label.jsonl"
: >"$results"
printf '{"label": "%s", "connections": %s, "duration": %s, "workers": "%s", "load": "%s", "at": "%s"}\n' \
  "$label" "$CONNECTIONS" "$DURATION" "$WORKERS" "$(cut -d' ' -f1-3 /proc/loadavg)" \
  "$(date -u +%FT%TZ)" \
  | tee -a "$results"
for name in $SCENARIOS; do
  if [ ! -s "$out/$label/$name.txt" ]; then  # like_again before anyone has liked anything
    echo "bench: no requests for $name in this database, skipped" >&2
    continue
  fi
  settle_due
  drive "$name" "$WARMUP" >/dev/null
  settle
  settle_due  # the warm-up's own refreshes (its likes) are not the measured run's
  background STOP
  measure reference "$DURATION" | sed "s/\"reference\"/\"reference:$name\"/" \
    | tee -a "$results"
  settle
  measure "$name" "$DURATION" | tee -a "$results"
  background CONT
  settle
done
.venv/bin/python bench/stack/report.py "$results"
