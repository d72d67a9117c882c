#!/usr/bin/env bash
# The production server started two ways, measured side by side: `python -m config.serve` (A)
# and granian's own CLI with the same options (B), each serving the benchmark's settings and
# database in turn, ROUNDS times, alternating which goes first; wrk drives a cached answer and
# the bare reference view for DURATION seconds after a warm-up. Prints requests/s and p99 per run
# and the median ratio B/A. Run after `make bench` (it reuses its database and Redis).
#
# Knobs: BENCH_DATABASE_URL, BENCH_REDIS_URL, AB_PORT (default 21780), ROUNDS (3), DURATION (10),
# CONNECTIONS (50).
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
export DATABASE_URL="${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/nexus_bench}"
export REDIS_URL="${BENCH_REDIS_URL:-redis://127.0.0.1:6379/14}"
export DJANGO_SETTINGS_MODULE=config.settings.bench
SECRET_KEY="ab-$(head -c 48 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export SECRET_KEY ALLOWED_HOSTS="127.0.0.1,localhost" EMAIL_URL="console:" \
  FRONTEND_URL="http://127.0.0.1" PUBLIC_URL="http://127.0.0.1"
export SECURE_SSL_REDIRECT=false SESSION_COOKIE_SECURE=false CSRF_COOKIE_SECURE=false
export THROTTLE_ANON="60000000/min" THROTTLE_USER="60000000/min" LOG_LEVEL=WARNING
PORT="${AB_PORT:-21780}" ROUNDS="${ROUNDS:-3}" DURATION="${DURATION:-10}"
CONNECTIONS="${CONNECTIONS:-50}"
workdir=$(mktemp -d /tmp/nexus-ab-server.XXXXXX)
server_pid=""
trap '[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; wait 2>/dev/null || true' EXIT

start() {  # A or B
  if [ "$1" = A ]; then
    SERVER_BIND="127.0.0.1:$PORT" SERVER_WORKERS=2 SERVER_THREADS=2 "$PY" -m config.serve \
      >"$workdir/server.log" 2>&1 &
  else
    # What config/serve.py does before starting granian, done by hand for the CLI.
    metrics=$(mktemp -d /tmp/nexus-ab-metrics.XXXXXX)
    PROMETHEUS_MULTIPROC_DIR="$metrics" .venv/bin/granian --interface wsgi --http 1 --no-ws \
      --workers 2 --blocking-threads 2 --blocking-threads-idle-timeout 600 \
      --respawn-failed-workers --log-level warning --host 127.0.0.1 --port "$PORT" \
      config.wsgi:application >"$workdir/server.log" 2>&1 &
  fi
  server_pid=$!
  for _ in $(seq 1 60); do
    curl -fsS "http://127.0.0.1:$PORT/health/ready" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  cat "$workdir/server.log"; exit 1
}

stop() { kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""; }

measure() {  # side path
  wrk -t 2 -c "$CONNECTIONS" -d 3s "http://127.0.0.1:$PORT$2" >/dev/null
  wrk -t 2 -c "$CONNECTIONS" -d "${DURATION}s" --latency "http://127.0.0.1:$PORT$2" |
    awk -v side="$1" -v path="$2" '/Requests\/sec/ {rps=$2} / 99%/ {p99=$2}
      END {printf "%s %s %s %s\n", side, path, rps, p99}'
}

for round in $(seq 1 "$ROUNDS"); do
  order="A B"; [ $((round % 2)) -eq 0 ] && order="B A"
  for side in $order; do
    start "$side"
    measure "$side" /api/v1/genres/
    measure "$side" /api/v1/bench/reference/
    stop
  done
done | tee "$workdir/runs.txt"

"$PY" - "$workdir/runs.txt" <<'PYEOF'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    side, path, rps, _ = line.split()
    runs.setdefault((path, side), []).append(float(rps))
for path in sorted({path for path, _ in runs}):
    a, b = statistics.median(runs[(path, "A")]), statistics.median(runs[(path, "B")])
    print(f"{path}: config.serve {a:.0f} requests/s, granian CLI {b:.0f}, ratio B/A {b / a:.3f}")
PYEOF
