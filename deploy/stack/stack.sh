#!/usr/bin/env bash
# The production shape on one machine, without containers (make stack / make stack-stop):
#
#   client -> nginx :STACK_PORT -> two API servers (deploy/serve.sh) -> PgBouncer -> PostgreSQL
#             primary, and its streaming read replica (pg_basebackup); Redis (cache, throttles,
#             broker); Celery workers split by kind of work as in Kubernetes, and beat.
#
# Everything runs from var/stack/ on ports of its own: the machine's PostgreSQL (5432) and
# Redis (6379) are never touched, and `stop` leaves nothing running. PostgreSQL and PgBouncer
# refuse to run as root, so they run as the postgres OS user, owning their directories.
#
#   deploy/stack/stack.sh start | stop | status | env | listening
#   deploy/stack/stack.sh servers | pgbouncer | replica | nginx   (start that piece again)
#   deploy/stack/stack.sh pgbouncer-restart   (a new PgBouncer, then the old one stopped)
#   STACK_DB=name deploy/stack/stack.sh use   (the app processes on another database of the
#       primary, e.g. a copy of the small data set beside seed 002's volumes; cache emptied)
#   deploy/stack/stack.sh queues   (each Celery worker and the queues it consumes)
#   STACK_CODE=dir deploy/stack/stack.sh apps   (the servers, workers and beat stopped, then
#       started again on the code in dir, e.g. a git worktree of another commit, with this
#       checkout's virtual environment, data and settings; bench/stack/ab.sh)
#
# Ports (each can be set; the defaults sit away from the usual ones so two stacks or a stack
# and the machine's services do not collide): STACK_PORT (nginx, 8080) and STACK_PORT_BASE
# (18400): servers BASE+1 and BASE+2, PgBouncer BASE+3, primary BASE+4, replica BASE+5, Redis
# BASE+6. ML_DIR: the MovieLens directory imported on first start
# (../shared/datasets/ml-latest-small). STACK_SERVER_WORKERS, STACK_SERVER_THREADS size each
# server (1 x 2: the two servers then run one request process per core of a 2-core machine,
# the rule the Kubernetes manifests follow; docs/stack-history.md has what 2 x 2 measured).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
source deploy/stack/ports.sh

PY="$ROOT/.venv/bin/python"
# The code the app processes (servers, workers, beat) run: this checkout, or the directory
# STACK_CODE names (`apps`). The rest of the stack and the app's data stay this checkout's.
CODE=$(cd "${STACK_CODE:-$ROOT}" && pwd)
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
DIR="$ROOT/var/stack"
ML_DIR=${ML_DIR:-../shared/datasets/ml-latest-small}
PG_USER=postgres
# The database of the primary the app uses (kept in var/stack/db once `use` changed it).
STACK_DB=${STACK_DB:-$(cat "$DIR/db" 2>/dev/null || echo nexus)}
# The throttles, kept in var/stack/throttles by `start`: a later `start` (or `use`) without
# STACK_THROTTLE_* keeps the ones the stack runs with, so the servers a drill starts again
# throttle as the running ones do (a `make stack` without them once rewrote var/stack/env with
# the defaults, and servers started after it answered a benchmark with 429s).
kept_throttles=$(cat "$DIR/throttles" 2>/dev/null || true)
read -r kept_anon kept_user _ <<<"$kept_throttles" || true
STACK_THROTTLE_ANON=${STACK_THROTTLE_ANON:-${kept_anon:-120/min}}
STACK_THROTTLE_USER=${STACK_THROTTLE_USER:-${kept_user:-600/min}}
# Queues no worker consumes (comma-separated), kept in var/stack/skip_queues by `start` and
# `use` as the throttles are; set empty to consume every queue again. The rounds at seed 002's
# volumes skip `notifications`: every seeded user is due this week's digest, and that first
# run over 100,000 users holds a core for minutes (docs/deployment.md, "Measuring at seed
# 002's volumes, step by step"). Their messages wait in Redis meanwhile.
STACK_SKIP_QUEUES=${STACK_SKIP_QUEUES-$(cat "$DIR/skip_queues" 2>/dev/null || true)}

log() { printf '== stack: %s\n' "$*"; }
as_pg() { runuser -u "$PG_USER" -- "$@"; }
# Alive: the process in the pidfile exists and has not exited. An exited child that its parent
# has not reaped yet (a zombie, state Z) still answers kill -0; the shell that ran an earlier
# `stack.sh servers` is such a parent until it exits, and restarting from it skipped the start.
pid_alive() {
  local pid
  [ -f "$1" ] && pid=$(cat "$1" 2>/dev/null) && process_alive "$pid"
}

process_alive() {  # pid
  local state
  kill -0 "$1" 2>/dev/null || return 1
  # The state follows the command name, which may hold spaces, in parentheses.
  state=$(sed -n 's/.*) \([A-Za-z]\) .*/\1/p' "/proc/$1/stat" 2>/dev/null) || return 0
  [ "$state" != Z ]
}

# The Celery workers, one per kind of work (deploy/kubernetes/worker-*.yaml); each consumes the
# queue its name ends with (notifications also takes default).
WORKERS=(worker-recommendations worker-notifications worker-tmdb)

worker_queues() {  # worker name: the queues it consumes (comma-separated), less the skipped ones
  local queue kept=() queues=${1#worker-}
  [ "$queues" = notifications ] && queues=notifications,default
  for queue in ${queues//,/ }; do
    [[ ",$STACK_SKIP_QUEUES," == *",$queue,"* ]] || kept+=("$queue")
  done
  local IFS=,
  echo "${kept[*]}"
}

queues() {  # each worker and what it consumes
  local name
  for name in "${WORKERS[@]}"; do
    printf '%-24s %s\n' "$name" "$(worker_queues "$name")"
  done
}

render() {  # template output KEY=VALUE...
  local template=$1 output=$2
  shift 2
  local args=()
  for pair in "$@"; do args+=(-e "s|@${pair%%=*}@|${pair#*=}|g"); done
  sed "${args[@]}" "$template" >"$output"
}

app_env() {
  # The environment of every app process: production settings over plain HTTP on loopback.
  [ -f "$DIR/secret_key" ] || head -c 48 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$DIR/secret_key"
  cat <<EOF
export DJANGO_SETTINGS_MODULE=config.settings.prod
export SECRET_KEY=stack-$(cat "$DIR/secret_key")
export ALLOWED_HOSTS=127.0.0.1,localhost
export EMAIL_URL=console:
export FRONTEND_URL=http://127.0.0.1:$STACK_PORT PUBLIC_URL=http://127.0.0.1:$STACK_PORT
export SECURE_SSL_REDIRECT=false SESSION_COOKIE_SECURE=false CSRF_COOKIE_SECURE=false
export SECURE_HSTS_SECONDS=0
export DATABASE_URL=postgres://postgres@127.0.0.1:$PGBOUNCER_PORT/$STACK_DB
export DATABASE_REPLICA_URLS=postgres://postgres@127.0.0.1:$PGBOUNCER_PORT/${STACK_DB}_replica
export DATABASE_POOLER=pgbouncer
export REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0
export NUM_PROXIES=1
export VAR_DIR=$DIR/app
export LOG_LEVEL=${STACK_LOG_LEVEL:-WARNING}
export THROTTLE_ANON=$STACK_THROTTLE_ANON THROTTLE_USER=$STACK_THROTTLE_USER
# Direct connections for tools and tests (superuser, bypassing PgBouncer).
export STACK_PRIMARY_URL=postgres://postgres@127.0.0.1:$PRIMARY_PORT/$STACK_DB
export STACK_REPLICA_URL=postgres://postgres@127.0.0.1:$REPLICA_PORT/$STACK_DB
export STACK_URL=http://127.0.0.1:$STACK_PORT
export STACK_APP_DATABASE_URL=\$DATABASE_URL STACK_APP_REPLICA_URLS=\$DATABASE_REPLICA_URLS
EOF
}

wait_for() {  # description seconds command...
  local what=$1 seconds=$2
  shift 2
  for _ in $(seq 1 $((seconds * 5))); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  log "$what did not come up"
  return 1
}

pg_ctl_of() {
  install -d -o "$PG_USER" -g "$PG_USER" "$DIR/pglog"
  as_pg "$PGBIN/pg_ctl" -D "$1" -w -t 60 -l "$DIR/pglog/$(basename "$1").log" "${@:2}"
}

primary_init() {
  log "PostgreSQL primary: initdb in $DIR/pg-primary (port $PRIMARY_PORT)"
  install -d -o "$PG_USER" -g "$PG_USER" -m 700 "$DIR/pg-primary"
  as_pg "$PGBIN/initdb" -D "$DIR/pg-primary" -U postgres --auth=trust -E UTF8 \
    --locale=C.UTF-8 >/dev/null
  cat deploy/postgresql/postgresql.conf >>"$DIR/pg-primary/postgresql.conf"
  echo "host replication postgres 127.0.0.1/32 trust" >>"$DIR/pg-primary/pg_hba.conf"
}

replica_init() {
  log "PostgreSQL replica: pg_basebackup from the primary (port $REPLICA_PORT)"
  install -d -o "$PG_USER" -g "$PG_USER" -m 700 "$DIR/pg-replica"
  as_pg "$PGBIN/pg_basebackup" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -D "$DIR/pg-replica" \
    -X stream -R -c fast
}

start_postgres() {
  local new_primary=0
  [ -f "$DIR/pg-primary/PG_VERSION" ] || { primary_init; new_primary=1; }
  if ! as_pg "$PGBIN/pg_ctl" -D "$DIR/pg-primary" status >/dev/null 2>&1; then
    pg_ctl_of "$DIR/pg-primary" -o "-p $PRIMARY_PORT" start >/dev/null
  fi
  if [ "$new_primary" = 1 ]; then
    psql -q -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -d postgres -c "CREATE DATABASE nexus"
  fi
  [ -f "$DIR/pg-replica/PG_VERSION" ] || replica_init
  if ! as_pg "$PGBIN/pg_ctl" -D "$DIR/pg-replica" status >/dev/null 2>&1; then
    pg_ctl_of "$DIR/pg-replica" -o "-p $REPLICA_PORT" start >/dev/null
  fi
}

pgbouncer_config() {  # ini-name pidfile
  install -d -o "$PG_USER" -g "$PG_USER" "$DIR/pgbouncer"
  render deploy/pgbouncer/pgbouncer.ini "$DIR/pgbouncer/$1" \
    PRIMARY_PORT="$PRIMARY_PORT" REPLICA_PORT="$REPLICA_PORT" PGBOUNCER_PORT="$PGBOUNCER_PORT" \
    PREFIX="$DIR/pgbouncer" PIDFILE="$DIR/pgbouncer/$2" DB="$STACK_DB"
  echo '"postgres" ""' >"$DIR/pgbouncer/userlist.txt"
  chown "$PG_USER" "$DIR/pgbouncer/$1" "$DIR/pgbouncer/userlist.txt"
}

start_pgbouncer() {
  pgbouncer_config pgbouncer.ini pgbouncer.pid
  pid_alive "$DIR/pgbouncer/pgbouncer.pid" || as_pg pgbouncer -d -q "$DIR/pgbouncer/pgbouncer.ini"
  wait_for PgBouncer 20 psql -h 127.0.0.1 -p "$PGBOUNCER_PORT" -U postgres -d "$STACK_DB" -c "SELECT 1"
}

restart_pgbouncer() {
  # A new process on the same port first (so_reuseport), then the old one stopped at once
  # (SIGTERM): only the transactions it was running fail; the servers' idle connections to it
  # close and are replaced at their next request (Django's connection health checks).
  # Each process gets a pidfile name of its own, which it deletes when it exits:
  # pgbouncer.pid is only the stack's record of the running one (a second handover once
  # failed when the old process, started as "next", deleted the new one's pidfile on exit).
  local name new_pid
  name=pgbouncer-$(date +%s%N)
  pgbouncer_config "$name.ini" "$name.pid"
  as_pg pgbouncer -d -q "$DIR/pgbouncer/$name.ini"
  wait_for "the new PgBouncer" 20 test -s "$DIR/pgbouncer/$name.pid"
  new_pid=$(cat "$DIR/pgbouncer/$name.pid")
  stop_pidfile pgbouncer "$DIR/pgbouncer/pgbouncer.pid" TERM
  echo "$new_pid" >"$DIR/pgbouncer/pgbouncer.pid"
  find "$DIR/pgbouncer" -name 'pgbouncer-*.ini' ! -name "$name.ini" -delete
}

start_redis() {
  mkdir -p "$DIR/redis"
  pid_alive "$DIR/redis/redis.pid" || redis-server --port "$REDIS_PORT" --bind 127.0.0.1 \
    --daemonize yes --pidfile "$DIR/redis/redis.pid" --dir "$DIR/redis" \
    --logfile "$DIR/redis/redis.log" --save "" --appendonly no >/dev/null
  wait_for Redis 10 redis-cli -p "$REDIS_PORT" ping
}

first_start_data() {
  [ -f "$DIR/.data-loaded" ] && return 0
  "$PY" manage.py migrate_all --noinput -v 0
  if [ -d "$ML_DIR" ]; then
    log "First start: importing MovieLens from $ML_DIR, then training the recommender"
    "$PY" manage.py import_movielens "$ML_DIR"
    "$PY" manage.py train_recommender
  else
    log "First start: $ML_DIR not found, the catalog stays empty (set ML_DIR)"
  fi
  touch "$DIR/.data-loaded"
}

spawn() {  # name command... : a background app process with its pid and log in var/stack/run,
  # run from CODE with CODE first on the import path (the virtual environment's editable
  # install points `apps` and `config` at this checkout, and celery's script does not look in
  # the working directory); the subshell execs the command, so $! is the command's pid
  local name=$1
  shift
  pid_alive "$DIR/run/$name.pid" && return 0
  (cd "$CODE" && PYTHONPATH="$CODE" exec nohup "$@" >>"$DIR/run/$name.log" 2>&1) &
  echo $! >"$DIR/run/$name.pid"
}

start_servers() {  # the two API servers (those not running), once the stack is set up
  # shellcheck disable=SC1091
  source "$DIR/env"
  for index in 1 2; do
    port_var=SERVER${index}_PORT
    SERVER_BIND="127.0.0.1:${!port_var}" SERVER_WORKERS=${STACK_SERVER_WORKERS:-1} \
      SERVER_THREADS=${STACK_SERVER_THREADS:-2} PYTHON="$PY" \
      PROMETHEUS_MULTIPROC_DIR="$DIR/run/metrics-$index" spawn "server$index" deploy/serve.sh
  done
  for index in 1 2; do
    port_var=SERVER${index}_PORT
    wait_for "server $index" 60 curl -fsS "http://127.0.0.1:${!port_var}/health/live"
  done
}

start_apps() {
  mkdir -p "$DIR/run" "$DIR/app"
  # shellcheck disable=SC1091
  source "$DIR/env"
  "$PY" manage.py migrate_all --noinput -v 0
  "$PY" manage.py collectstatic --noinput -v 0
  first_start_data
  start_servers
  start_background
}

start_background() {  # the workers and beat (those not running)
  # The workers and beat run at a lower CPU priority than the servers: in Kubernetes they have
  # CPUs of their own (deploy/kubernetes/worker-*.yaml), here they share two cores with the
  # servers, and a background batch (the digests' first run over 100,000 users, a queue of
  # recommendation refreshes) took a core from request serving for minutes otherwise. One
  # worker per kind of work, as the manifests have: with one worker for every queue, the
  # digests' first run held both its processes for minutes at seed 002's volumes while the
  # recommendation refreshes that likes made due waited behind it.
  local queues name
  [ -z "$STACK_SKIP_QUEUES" ] ||
    log "queues no worker consumes: $STACK_SKIP_QUEUES (STACK_SKIP_QUEUES= to consume them again)"
  for name in "${WORKERS[@]}"; do
    queues=$(worker_queues "$name")
    [ -n "$queues" ] || { log "$name not started: STACK_SKIP_QUEUES has its queues"; continue; }
    spawn "$name" nice -n 10 "$ROOT/.venv/bin/celery" -A config worker --loglevel WARNING \
      --concurrency 2 --queues "$queues" --hostname "$name@%h"
  done
  spawn beat nice -n 10 "$ROOT/.venv/bin/celery" -A config beat --loglevel WARNING \
    --schedule "$DIR/run/celerybeat-schedule"
}

start_nginx() {
  mkdir -p "$DIR/nginx"
  render deploy/nginx/nexus.conf "$DIR/nginx/nginx.conf" LISTEN="127.0.0.1:$STACK_PORT" \
    UPSTREAMS="server 127.0.0.1:$SERVER1_PORT max_fails=1 fail_timeout=5s; server 127.0.0.1:$SERVER2_PORT max_fails=1 fail_timeout=5s;" \
    STATIC_ROOT="$DIR/app/static" PREFIX="$DIR/nginx"
  if pid_alive "$DIR/nginx/nginx.pid"; then
    nginx -e "$DIR/nginx/error.log" -c "$DIR/nginx/nginx.conf" -s reload
  else
    nginx -e "$DIR/nginx/error.log" -c "$DIR/nginx/nginx.conf"
  fi
  wait_for nginx 20 curl -fsS "http://127.0.0.1:$STACK_PORT/health/ready"
}

use_database() {
  # The app processes on another database of the primary (STACK_DB), the rest left running:
  # PgBouncer handed over to one that knows it, the cache emptied (its answers and namespace
  # versions were the other database's), then the servers, worker and beat started again.
  psql -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -d "$STACK_DB" -c "SELECT 1" >/dev/null
  echo "$STACK_DB" >"$DIR/db"
  echo "$STACK_SKIP_QUEUES" >"$DIR/skip_queues"
  app_env >"$DIR/env"
  restart_pgbouncer
  for name in server1 server2 "${WORKERS[@]}" beat; do
    stop_pidfile "$name" "$DIR/run/$name.pid"
  done
  redis-cli -p "$REDIS_PORT" flushall >/dev/null
  start_apps
  log "the app uses the database $STACK_DB"
}

start() {
  mkdir -p "$DIR"
  chmod 755 "$DIR"
  echo "$STACK_THROTTLE_ANON $STACK_THROTTLE_USER" >"$DIR/throttles"
  echo "$STACK_SKIP_QUEUES" >"$DIR/skip_queues"
  app_env >"$DIR/env"
  start_postgres
  start_pgbouncer
  start_redis
  start_apps
  start_nginx
  log "up: http://127.0.0.1:$STACK_PORT (readiness: $(curl -fsS "http://127.0.0.1:$STACK_PORT/health/ready"))"
}

stop_pidfile() {  # name pidfile [signal]
  local pidfile=$2
  pid_alive "$pidfile" || { rm -f "$pidfile"; return 0; }
  local pid
  pid=$(cat "$pidfile")
  kill "-${3:-TERM}" "$pid" 2>/dev/null || true
  for _ in $(seq 1 150); do
    # The process itself, not its pidfile (nginx and PgBouncer remove theirs as they exit).
    process_alive "$pid" || { rm -f "$pidfile"; return 0; }
    sleep 0.2
  done
  log "$1 did not stop after SIGTERM in 30 s: SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$pidfile"
}

restart_apps() {
  # The app processes on CODE's code: each stopped (SIGTERM, waited for: a server still
  # running would keep answering on its port beside the new one), then started again. No
  # migration runs: the code must fit the schema the stack has.
  [ -f "$DIR/env" ] || { log "no stack set up in $DIR (make stack)"; return 1; }
  local name
  for name in server1 server2 "${WORKERS[@]}" beat; do
    stop_pidfile "$name" "$DIR/run/$name.pid"
  done
  # shellcheck disable=SC1091
  source "$DIR/env"
  start_servers
  start_background
  log "servers, workers and beat running the code in $CODE"
}

stop() {
  [ -d "$DIR" ] || { log "nothing to stop"; return 0; }
  stop_pidfile nginx "$DIR/nginx/nginx.pid" QUIT
  for name in server1 server2 "${WORKERS[@]}" beat; do
    stop_pidfile "$name" "$DIR/run/$name.pid"
  done
  stop_pidfile pgbouncer "$DIR/pgbouncer/pgbouncer.pid" INT
  stop_pidfile redis "$DIR/redis/redis.pid"
  for cluster in pg-replica pg-primary; do
    if [ -f "$DIR/$cluster/postmaster.pid" ]; then
      as_pg "$PGBIN/pg_ctl" -D "$DIR/$cluster" -m fast -w stop >/dev/null || true
    fi
  done
  log "stopped"
}

status() {
  local name pidfile pidfiles=(nginx/nginx.pid run/server1.pid run/server2.pid)
  for name in "${WORKERS[@]}" beat; do pidfiles+=("run/$name.pid"); done
  for pidfile in "${pidfiles[@]}" pgbouncer/pgbouncer.pid redis/redis.pid; do
    if pid_alive "$DIR/$pidfile"; then state=running; else state=stopped; fi
    printf '%-32s %s\n' "$pidfile" "$state"
  done
  for cluster in pg-primary pg-replica; do
    if [ -f "$DIR/$cluster/postmaster.pid" ]; then state=running; else state=stopped; fi
    printf '%-32s %s\n' "$cluster" "$state"
  done
}

listening() {  # exit 0 if anything still listens on one of the stack's ports
  local ports
  ports=$(printf '%s|' "$STACK_PORT" "$SERVER1_PORT" "$SERVER2_PORT" "$PGBOUNCER_PORT" \
    "$PRIMARY_PORT" "$REPLICA_PORT" "$REDIS_PORT")
  ss -Hltn | awk '{print $4}' | grep -qE ":(${ports%|})\$"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  env) app_env ;;
  listening) listening ;;
  servers) start_servers ;;
  nginx) start_nginx ;;
  pgbouncer) start_pgbouncer ;;
  pgbouncer-restart) restart_pgbouncer ;;
  use) use_database ;;
  queues) queues ;;
  apps) restart_apps ;;
  replica) pg_ctl_of "$DIR/pg-replica" -o "-p $REPLICA_PORT" start >/dev/null ;;
  *) echo "usage: $0 start|stop|status|env|listening|servers|nginx|pgbouncer|pgbouncer-restart|replica|use|queues|apps" >&2; exit 2 ;;
esac
