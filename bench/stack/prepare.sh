#!/usr/bin/env bash
# Bring a running stack (make stack) to seed 002's volumes and ready it for measuring rounds,
# as docs/deployment.md's "Measuring at seed 002's volumes, step by step" describes:
#
#   STACK_SKIP_QUEUES=notifications STACK_THROTTLE_ANON=60000000/min \
#     STACK_THROTTLE_USER=60000000/min make stack
#   bash bench/stack/prepare.sh
#
# 1. bench/seed_volumes.py fills the primary (5 to 15 minutes here);
# 2. the cache is emptied (the answers cached from the smaller catalog);
# 3. train_recommender --no-refresh fits every engine on the seeded interactions and stores no
#    lists (each user's are made by their first read or refresh);
# 4. every request file but the likes and the mix is sent once (bench/stack/warm.py), so the
#    rounds measure stored and cached answers, as a service in use serves them;
# 5. the refreshes the set-up left due are cleared, so that the first round does not pay for
#    them.
#
# Knobs: BENCH_USERS (users with tokens in the warmed files, 2000, as bench/stack/run.sh),
# PREPARE_SEED=0 skips step 1 (a database already seeded).
set -euo pipefail
cd "$(dirname "$0")/../.."
set -a
# shellcheck disable=SC1091
. var/stack/env
set +a
PY=.venv/bin/python

step() {  # title command...: run it and say how long it took
  local title=$1 started
  shift
  started=$(date +%s)
  "$@"
  printf '== prepare: %s in %s s\n' "$title" "$(($(date +%s) - started))"
}

case "$(deploy/stack/stack.sh queues)" in
  *notifications,default*)
    echo "== prepare: the notifications queue is consumed: every seeded user's digest will hold" \
      "a worker for minutes (start the stack with STACK_SKIP_QUEUES=notifications)" >&2 ;;
esac

if [ "${PREPARE_SEED:-1}" != 0 ]; then
  step "seed 002's volumes" "$PY" bench/seed_volumes.py --database-url "$STACK_PRIMARY_URL"
fi
redis-cli -u "$REDIS_URL" flushdb >/dev/null
step "training" "$PY" manage.py train_recommender --no-refresh

warm() {
  local out=var/stack/bench/warm file
  "$PY" bench/stack/paths.py "$out" --users "${BENCH_USERS:-2000}"
  for file in "$out"/*.txt; do
    case $file in
      */like*.txt | */mix*.txt) ;;
      *) "$PY" bench/stack/warm.py "$file" ;;
    esac
  done
}
step "warm-up" warm
psql "$STACK_PRIMARY_URL" -qc "UPDATE recommendation_states SET refresh_due_at = NULL"
echo "== prepare: ready; a first round is still a warm-up: BENCH_DURATION=10 bash bench/stack/run.sh warmup"
