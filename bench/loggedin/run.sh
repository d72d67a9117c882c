#!/usr/bin/env bash
# The logged-in benchmark (issue 15; `make bench` runs it after bench/run.sh, `make bench-loggedin`
# alone): production settings and server (python -m config.serve, 2 workers x 2 threads),
# PostgreSQL and Redis on 127.0.0.1, ml-latest-small imported and the recommender trained, a
# Celery worker on every queue as in production, and tokens of BENCH_USERS (300) MovieLens users.
# wrk (bench/stack/mix.lua) then runs each scenario directly after a run of /health/live at
# the same number of connections (the reference, measured in the same minute) and a warm-up:
#
# - each request type alone at 50 connections: detail, recommendations, popular, like, rating,
#   favorites, home (a user's own feed/home/, issue 12);
# - the mix (40 % detail, 20 % recommendations, 10 % each of popular, like, rating, favorites)
#   at 50 and at 1,000 connections;
# - hot: 40 users liking and unliking one movie at once (40 connections).
#
# The public answers those requests read (movie details, popular pages) are fetched once,
# anonymously, and each user's recommendations once with their token, before the load
# (bench/loggedin/warm.py): the figures are what a logged-in user adds to a cached answer; the
# anonymous benchmark measures misses. Then the interactions'
# counters are compared with the rows (after the settle time) and the table printed:
# requests/s, its ratio to /health/live, p50, p99, errors.
#
#   bash bench/loggedin/run.sh [LABEL]          (results: var/bench/loggedin/LABEL.jsonl)
#
# Knobs (environment): BENCH_DATABASE_URL, BENCH_REDIS_URL (default redis db 14, the bench's),
# BENCH_DATASET, BENCH_DURATION (s, 15), BENCH_WARMUP (s, 5), BENCH_USERS (300),
# BENCH_SCENARIOS (default: detail recommendations popular like rating favorites home mix hot
# mix@1000; NAME@N runs NAME at N connections), BENCH_IMPORT (1: import and train, 0: use the data
# already there), BENCH_WORKER (1: run a Celery worker, 0: none), BENCH_PORT (a free port),
# BENCH_WORKERS and BENCH_THREADS (the server's processes and request threads: 2 and 2).
set -euo pipefail
cd "$(dirname "$0")/../.."
label=${1:-loggedin}

PY=.venv/bin/python
export DATABASE_URL="${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/nexus_bench}"
export REDIS_URL="${BENCH_REDIS_URL:-redis://127.0.0.1:6379/14}"
DATASET="${BENCH_DATASET:-../shared/datasets/ml-latest-small}"
DURATION="${BENCH_DURATION:-15}"
WARMUP="${BENCH_WARMUP:-5}"
SCENARIOS="${BENCH_SCENARIOS:-detail recommendations popular like rating favorites home mix hot mix@1000}"

# Production settings plus the bench-only routes, over plain HTTP on loopback; throttles stay
# on (every request is counted) with limits the load never reaches (as bench/run.sh).
export DJANGO_SETTINGS_MODULE=config.settings.bench
SECRET_KEY="${BENCH_SECRET_KEY:-bench-$(head -c 48 /dev/urandom | od -An -tx1 | tr -d ' \n')}"
export SECRET_KEY
export ALLOWED_HOSTS="127.0.0.1,localhost"
export EMAIL_URL="console:"
export FRONTEND_URL="http://127.0.0.1" PUBLIC_URL="http://127.0.0.1"
export SECURE_SSL_REDIRECT=false SESSION_COOKIE_SECURE=false CSRF_COOKIE_SECURE=false
export THROTTLE_ANON="60000000/min" THROTTLE_USER="60000000/min"
export LOG_LEVEL=WARNING

log() { printf '\n== %s\n' "$*" >&2; }

pg_isready -q -h 127.0.0.1 -p 5432 || { echo "PostgreSQL is not answering on 127.0.0.1:5432"; exit 1; }
redis-cli -u "$REDIS_URL" ping >/dev/null || { echo "Redis is not answering at $REDIS_URL"; exit 1; }
command -v wrk >/dev/null 2>&1 || { apt-get update -q && apt-get install -y -q wrk; } >/dev/null 2>&1 || {
  echo "the logged-in benchmark needs wrk (apt-get install wrk)"
  exit 1
}

"$PY" bench/prepare.py
"$PY" manage.py migrate_all --noinput -v 0
if [ "${BENCH_IMPORT:-1}" = 1 ]; then
  log "Data: $DATASET"
  [ -d "$DATASET" ] || { echo "no dataset at $DATASET (see README, MovieLens)"; exit 1; }
  "$PY" manage.py import_movielens "$DATASET" -v 0
  "$PY" manage.py train_recommender >/dev/null
fi
redis-cli -u "$REDIS_URL" flushdb >/dev/null

out=var/bench/loggedin
work="$out/$label"
mkdir -p "$work"
"$PY" bench/loggedin/paths.py "$work" --users "${BENCH_USERS:-300}" >&2

pids=()
worker_pid=""
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ "${BENCH_WORKER:-1}" = 1 ]; then
  .venv/bin/celery -A config worker --loglevel WARNING --concurrency 2 \
    --queues default,recommendations,tmdb,notifications --hostname "bench@%h" \
    >"$work/worker.log" 2>&1 &
  pids+=($!)
  worker_pid=$!
fi
port="${BENCH_PORT:-$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')}"
SERVER_BIND="127.0.0.1:$port" SERVER_WORKERS="${BENCH_WORKERS:-2}" SERVER_THREADS="${BENCH_THREADS:-2}" "$PY" -m config.serve \
  >"$work/server.log" 2>&1 &
pids+=($!)
server_pid=$!
for _ in $(seq 1 60); do
  curl -fsS "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1 && break
  sleep 0.5
done
curl -fsS "http://127.0.0.1:$port/health/ready" >/dev/null || { cat "$work/server.log"; exit 1; }

log "Warming the public answers the scenarios read"
"$PY" bench/loggedin/warm.py "http://127.0.0.1:$port" "$work/detail.txt" "$work/popular.txt" \
  "$work/recommendations.txt" "$work/home.txt" >&2

# CPU seconds (user + system) used so far by a process and its descendants: each scenario's
# line says how much CPU the server and the worker took during it, so a slow write can be
# told apart from a worker eating the cores (both share the machine with wrk).
tree_cpu() {  # pid
  local all=("$1") kids
  local i=0
  while [ "$i" -lt "${#all[@]}" ]; do
    kids=$(pgrep -P "${all[$i]}" 2>/dev/null || true)
    [ -n "$kids" ] && all+=($kids)
    i=$((i + 1))
  done
  local ticks=0 pid fields
  for pid in "${all[@]}"; do
    fields=$(cut -d')' -f2 "/proc/$pid/stat" 2>/dev/null) || continue
    set -- $fields
    ticks=$((ticks + ${12} + ${13}))
  done
  echo "$ticks"
}
hz=$(getconf CLK_TCK)

drive() {  # file name connections seconds
  local server_before worker_before server_used worker_used
  server_before=$(tree_cpu "$server_pid")
  worker_before=$(if [ -n "$worker_pid" ]; then tree_cpu "$worker_pid"; else echo 0; fi)
  BENCH_NAME=$2 BENCH_MIX="$work/$1.txt" wrk -t 2 -c "$3" -d "${4}s" --timeout 10s \
    -s bench/stack/mix.lua "http://127.0.0.1:$port" | grep '^{' >"$work/last.json" || true
  server_used=$(($(tree_cpu "$server_pid") - server_before))
  worker_used=$(if [ -n "$worker_pid" ]; then echo $(($(tree_cpu "$worker_pid") - worker_before)); else echo 0; fi)
  sed "s/}\$/, \"connections\": $3, \"server_cpu_s\": $(awk "BEGIN{print $server_used/$hz}"), \"worker_cpu_s\": $(awk "BEGIN{print $worker_used/$hz}")}/" "$work/last.json"
}

results="$out/$label.jsonl"
printf '{"label": "%s", "duration": %s, "users": %s, "worker": %s, "load": "%s", "at": "%s"}\n' \
  "$label" "$DURATION" "${BENCH_USERS:-300}" "${BENCH_WORKER:-1}" \
  "$(cut -d' ' -f1-3 /proc/loadavg)" "$(date -u +%FT%TZ)" >"$results"
log "Load: ${DURATION}s per run after a ${WARMUP}s warm-up, each after /health/live"
# The server's and the worker's first seconds (imports, connections) are no scenario's.
drive reference reference 50 "$WARMUP" >/dev/null
# A run that left the server a backlog (1,000 connections that wrk closed still have requests
# queued in the server) must not eat into the next one: wait until /health/live answers fast.
drain() {
  for _ in $(seq 1 120); do
    curl -fsS -m 1 -o /dev/null "http://127.0.0.1:$port/health/live" 2>/dev/null && return
    sleep 1
  done
}
for spec in $SCENARIOS; do
  name=${spec%@*}
  connections=50
  [ "$spec" != "$name" ] && connections=${spec#*@}
  [ "$name" = hot ] && connections=${BENCH_HOT_USERS:-40}
  drain
  drive reference "reference:$spec" "$connections" "$DURATION" | tee -a "$results" >&2
  drive "$name" "$name" "$connections" "$WARMUP" >/dev/null
  drain  # the warm-up's queued requests (1,000 connections) are not the measured run's
  drive "$name" "$spec" "$connections" "$DURATION" | tee -a "$results" >&2
done
drain

log "Counters against rows"
"$PY" bench/loggedin/settle.py | tee -a "$results" >&2
"$PY" bench/loggedin/report.py "$results"
