#!/usr/bin/env bash
# make bench: ml-latest-small imported into PostgreSQL, the production server (granian, see
# config/serve.py) with production settings and Redis on 127.0.0.1, then wrk (or bench/load.py
# without wrk) drives each scenario with concurrent connections for a bounded time and prints
# requests/s and p50/p95/p99 latency, beside a bare Django JSON view served by the same server
# in the same run.
#
# Knobs (environment): BENCH_DATABASE_URL, BENCH_REDIS_URL, BENCH_DATASET, BENCH_DURATION (s),
# BENCH_WARMUP (s), BENCH_CONNECTIONS, BENCH_WRK_THREADS, BENCH_SERVER (granian, or gunicorn
# to compare), BENCH_WORKERS and BENCH_THREADS (per server: granian 2 x 2, gunicorn 3 x 8, the
# best each measured here), BENCH_SCENARIOS (default: reference popular lists detail_hot detail
# detail_miss search search_miss), BENCH_PORT (default: a free port),
# BENCH_ACCEPT_ENCODING (sent as Accept-Encoding with every request, e.g. gzip; default none).
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
export DATABASE_URL="${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/nexus_bench}"
export REDIS_URL="${BENCH_REDIS_URL:-redis://127.0.0.1:6379/14}"
DATASET="${BENCH_DATASET:-../shared/datasets/ml-latest-small}"
DURATION="${BENCH_DURATION:-15}"
WARMUP="${BENCH_WARMUP:-5}"
CONNECTIONS="${BENCH_CONNECTIONS:-100}"
WRK_THREADS="${BENCH_WRK_THREADS:-2}"
SCENARIOS="${BENCH_SCENARIOS:-reference popular lists detail_hot detail detail_miss search search_miss live home home_user}"
# The home page's scenarios (live, home, home_user) run at this many connections: the issue's
# target for a logged-in home page is p99 at 50.
HOME_CONNECTIONS="${BENCH_HOME_CONNECTIONS:-50}"
SERVER="${BENCH_SERVER:-granian}"
case "$SERVER" in
  granian) WORKERS="${BENCH_WORKERS:-2}" THREADS="${BENCH_THREADS:-2}" ;;
  gunicorn) WORKERS="${BENCH_WORKERS:-3}" THREADS="${BENCH_THREADS:-8}" ;;
  *) echo "BENCH_SERVER must be granian or gunicorn"; exit 2 ;;
esac

# Production settings plus the bench-only routes (config/settings/bench.py), made to run over
# plain HTTP on loopback with throttling out of the way.
export DJANGO_SETTINGS_MODULE=config.settings.bench
SECRET_KEY="bench-$(head -c 48 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export SECRET_KEY
export ALLOWED_HOSTS="127.0.0.1,localhost"
export EMAIL_URL="console:"
export FRONTEND_URL="http://127.0.0.1" PUBLIC_URL="http://127.0.0.1"
export SECURE_SSL_REDIRECT=false SESSION_COOKIE_SECURE=false CSRF_COOKIE_SECURE=false
# Throttles stay on (every request is still counted) with limits the load never reaches.
export THROTTLE_ANON="60000000/min" THROTTLE_USER="60000000/min"
# One JSON access line per request to a file would measure the disk; warnings still show.
export LOG_LEVEL=WARNING

log() { printf '\n== %s\n' "$*"; }

log "Services"
pg_isready -q -h 127.0.0.1 -p 5432 || { echo "PostgreSQL is not answering on 127.0.0.1:5432"; exit 1; }
redis-cli -u "$REDIS_URL" ping >/dev/null || { echo "Redis is not answering at $REDIS_URL"; exit 1; }

if ! command -v wrk >/dev/null 2>&1; then
  log "Installing wrk (Debian package)"
  { apt-get update -q && apt-get install -y -q wrk; } >/dev/null 2>&1 || echo "wrk unavailable: using bench/load.py"
fi

log "Database and data: $DATASET"
"$PY" bench/prepare.py
"$PY" manage.py migrate_all --noinput -v 0
start=$(date +%s)
"$PY" manage.py import_movielens "$DATASET"
echo "import took $(( $(date +%s) - start )) s"
case " $SCENARIOS " in
  *" home_user "*)  # logged-in home pages show each user's recommendations
    start=$(date +%s)
    "$PY" manage.py train_recommender >/dev/null
    echo "train_recommender took $(( $(date +%s) - start )) s" ;;
esac

# Every run starts from an empty cache, so earlier runs' entries do not change what it measures.
redis-cli -u "$REDIS_URL" flushdb >/dev/null

workdir=$(mktemp -d /tmp/nexus-bench.XXXXXX)
"$PY" bench/paths.py "$workdir"

port="${BENCH_PORT:-$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')}"
log "$SERVER on 127.0.0.1:$port ($WORKERS workers x $THREADS threads)"
if [ "$SERVER" = granian ]; then
  SERVER_BIND="127.0.0.1:$port" SERVER_WORKERS=$WORKERS SERVER_THREADS=$THREADS \
    "$PY" -m config.serve >"$workdir/server.log" 2>&1 &
else
  .venv/bin/gunicorn config.wsgi:application --bind "127.0.0.1:$port" --workers "$WORKERS" \
    --threads "$THREADS" --keep-alive 5 --worker-tmp-dir /dev/shm >"$workdir/server.log" 2>&1 &
fi
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do
  curl -fsS "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1 && break
  sleep 0.5
done
curl -fsS "http://127.0.0.1:$port/health/ready" >/dev/null || { cat "$workdir/server.log"; exit 1; }

ACCEPT_ENCODING="${BENCH_ACCEPT_ENCODING:-}"
headers=()
if [ -n "$ACCEPT_ENCODING" ]; then headers=(-H "Accept-Encoding: $ACCEPT_ENCODING"); fi

drive() {  # name seconds
  local name=$1 seconds=$2
  if [ "$name" = home_user ]; then  # logged in: a token a request (bench/stack/mix.lua)
    BENCH_NAME=$name BENCH_MIX="$workdir/$name.txt" wrk -t "$WRK_THREADS" \
      -c "$HOME_CONNECTIONS" -d "${seconds}s" --timeout 5s "${headers[@]}" -s bench/stack/mix.lua \
      "http://127.0.0.1:$port" | grep '^{'
    return
  fi
  local connections=$CONNECTIONS
  case "$name" in live | home) connections=$HOME_CONNECTIONS ;; esac
  if command -v wrk >/dev/null 2>&1; then
    BENCH_NAME=$name BENCH_PATHS="$workdir/$name.txt" wrk -t "$WRK_THREADS" -c "$connections" \
      -d "${seconds}s" --timeout 5s "${headers[@]}" -s bench/paths.lua \
      "http://127.0.0.1:$port" | grep '^{'
  else
    if [ -n "$ACCEPT_ENCODING" ]; then echo "BENCH_ACCEPT_ENCODING needs wrk" >&2; fi
    "$PY" bench/load.py --name "$name" --paths "$workdir/$name.txt" --port "$port" \
      --connections "$connections" --seconds "$seconds"
  fi
}

log "Load: $CONNECTIONS connections, ${DURATION}s per scenario after a ${WARMUP}s warm-up"
results="$workdir/results.jsonl"
for name in $SCENARIOS; do
  if [ "$name" = home_user ]; then
    # Each user's first page computes their recommendations (a fold-in): warm every user once,
    # so the run measures the page as users see it on return, not 300 first visits.
    "$PY" bench/home_warm.py "$workdir/home_user.txt" "$port"
  fi
  drive "$name" "$WARMUP" >/dev/null
  drive "$name" "$DURATION" | tee -a "$results"
  if [ "$name" = home_user ]; then
    # The scenario measures cached pages (return visits); what a made page costs, in-process.
    "$PY" bench/home_pages.py "$(wc -l <"$workdir/home_user.txt")" 3
  fi
done

log "Results: $SERVER, $WORKERS workers x $THREADS threads, Accept-Encoding: ${ACCEPT_ENCODING:-none} (server log: $workdir/server.log)"
"$PY" bench/report.py <"$results"
