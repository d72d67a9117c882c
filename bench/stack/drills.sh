#!/usr/bin/env bash
# Failure drills under load, through the running stack (make stack): each drill runs wrk with a
# request file through nginx for BENCH_DRILL_SECONDS (30), breaks one piece 8 s in, restores it
# 10 s later, and prints wrk's JSON line (errors by kind and status class) with what was done.
#
#   bash bench/stack/drills.sh [LABEL]      (results: var/stack/bench/drills-LABEL.jsonl)
#
# The load is a request file in bench/stack/mix.lua's format: BENCH_MIX (default the logged-in
# mix written by bench/stack/paths.py; "mix_get" is the same without its likes, all requests
# nginx may retry). Point BENCH_MIX and BENCH_MIX_GET at another mix to drill with it.
#
# Drills (BENCH_DRILLS picks some: baseline server replica pgbouncer):
#   server     SIGTERM to one API server (granian finishes its requests in flight, then exits;
#              nginx sends what follows, and retries idempotent requests, to the other one),
#              then it is started again;
#   replica    the read replica stopped (fast shutdown), then started again;
#   pgbouncer  PgBouncer stopped and started again, twice: a plain restart (SIGINT, then a new
#              process: a moment with nothing listening), and `stack.sh pgbouncer-restart` (a new
#              process on the same port first, then the old one stopped at once).
set -euo pipefail
cd "$(dirname "$0")/../.."
label=${1:-drills}
set -a
# shellcheck disable=SC1091
. var/stack/env
set +a
SECONDS_TOTAL=${BENCH_DRILL_SECONDS:-30}
CONNECTIONS=${BENCH_CONNECTIONS:-50}
out=var/stack/bench
mkdir -p "$out/$label"
.venv/bin/python bench/stack/paths.py "$out/$label" --users "${BENCH_USERS:-2000}" >/dev/null
MIX=${BENCH_MIX:-$out/$label/mix.txt}
MIX_GET=${BENCH_MIX_GET:-$out/$label/mix_get.txt}
results="$out/drills-$label.jsonl"
: >"$results"
stack() { bash deploy/stack/stack.sh "$@"; }

load() {  # name mixfile: wrk in the background, its JSON line to $out/$label/name.json
  BENCH_NAME=$1 BENCH_MIX=$2 wrk -t 2 -c "$CONNECTIONS" -d "${SECONDS_TOTAL}s" --timeout 10s \
    -s bench/stack/mix.lua "$STACK_URL" | grep '^{' >"$out/$label/$1.json" &
  wrk_pid=$!
}

record() {  # name what
  local line
  line=$(cat "$out/$label/$1.json")
  echo "${line%\}}, \"drill\": \"$2\", \"load\": \"$(cut -d' ' -f1-3 /proc/loadavg)\"}" \
    | tee -a "$results"
}

drill() {  # name mixfile description break-command restore-command
  local name=$1 mixfile=$2 what=$3 break_cmd=$4 restore_cmd=$5
  load "$name" "$mixfile"
  sleep 8
  eval "$break_cmd"
  sleep 10
  eval "$restore_cmd"
  wait "$wrk_pid"
  record "$name" "$what"
}

server1_stop() {
  local pid
  pid=$(cat var/stack/run/server1.pid)
  kill -TERM "$pid"
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
}

replica_stop() {
  runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D var/stack/pg-replica -m fast -w \
    stop >/dev/null
  sleep 2
  curl -fsS "$STACK_URL/health/ready" | tee "$out/$label/ready-without-replica.json" >/dev/null
}

pgbouncer_restart() {
  local pid
  pid=$(cat var/stack/pgbouncer/pgbouncer.pid)
  kill -INT "$pid"
  while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
  stack pgbouncer
}

primary_commits() {
  psql -Atq "$STACK_PRIMARY_URL" -c "SELECT xact_commit FROM pg_stat_database WHERE datname='nexus'"
}

DRILLS=${BENCH_DRILLS:-baseline server replica pgbouncer}
wanted() { [[ " $DRILLS " == *" $1 "* ]]; }

BASELINE="sleep 0"
wanted baseline && drill baseline_mix_get "$MIX_GET" "no failure (reference for the drills below)" "$BASELINE" "$BASELINE"
wanted server && drill server_mix_get "$MIX_GET" "server 1 stopped by SIGTERM at 8 s, started again at 18 s" \
  server1_stop "stack servers"
wanted server && drill server_mix "$MIX" "the same with the likes (POST) in the mix" server1_stop "stack servers"
if wanted replica; then
  before=$(primary_commits)
  drill replica_mix_get "$MIX_GET" "replica stopped at 8 s, started again at 18 s" \
    replica_stop "stack replica"
  echo "{\"primary_commits_during_replica_drill\": $(($(primary_commits) - before))}" \
    | tee -a "$results"
  echo "{\"readiness_without_replica\": $(cat "$out/$label/ready-without-replica.json")}" \
    | tee -a "$results"
fi
wanted pgbouncer && drill pgbouncer_mix "$MIX" "PgBouncer stopped at 8 s and started again at once" \
  pgbouncer_restart "sleep 0"
wanted pgbouncer && drill pgbouncer_handover_mix "$MIX" "a new PgBouncer at 8 s, then the old one stopped" \
  "stack pgbouncer-restart" "sleep 0"
