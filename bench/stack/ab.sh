#!/usr/bin/env bash
# Another commit's code against this checkout's, through the running stack (make stack), in
# alternated rounds: the before and after columns of one run.
#
#   bash bench/stack/ab.sh LABEL REV [PAIRS]
#
# REV's code is checked out in a git worktree (var/stack/ab/code, removed at the end). Each of
# PAIRS pairs (3) restarts the servers, workers and beat on one side's code (deploy/stack/
# stack.sh apps: each process stopped and waited for, so no server of the other side keeps
# answering on its port) and runs bench/stack/run.sh LABEL-before-N or LABEL-after-N with the
# same BENCH_* settings, then does the same for the other side. The side that goes first
# alternates from pair to pair, so a machine that slows down or speeds up during the run does
# not fall on one side only. At the end the app processes run this checkout's code again, and
# bench/stack/ab_report.py prints each pair and the medians.
#
# Both sides run with this checkout's virtual environment, settings and data, and no migration
# runs between them: REV's code must fit the stack's schema and dependencies. The benchmark's
# own scripts (run.sh, paths.py, mix.lua) are this checkout's for both sides.
#
# Each restart empties the app processes' own tables (verified tokens, user copies), on both
# sides alike; the cache in Redis is shared, and each side's like runs drop their users' cached
# answers as any like run does. A round of reads right after this script starts partly cold
# (the drills that followed its first use began at a third of their usual rate): warm it first,
# as bench/stack/prepare.sh does (its warm-up step), or run a round that is not kept.
#
# Why alternated pairs and not one round each: on these shared machines the same code's like
# cost 5.6 to 9.0 ms of CPU from one round to the next (docs/stack-history.md), more than most
# changes move it; compare the pairs, and the CPU per request as well as the latency.
set -euo pipefail
cd "$(dirname "$0")/../.."
label=${1:?usage: bench/stack/ab.sh LABEL REV [PAIRS]}
rev=${2:?usage: bench/stack/ab.sh LABEL REV [PAIRS]}
pairs=${3:-3}
[[ "$pairs" =~ ^[1-9][0-9]*$ ]] || { echo "ab: PAIRS must be a positive number" >&2; exit 2; }
[ -f var/stack/env ] || { echo "ab: no stack running here (make stack)" >&2; exit 1; }
commit=$(git rev-parse --verify --quiet "$rev^{commit}") ||
  { echo "ab: $rev is not a commit of this repository" >&2; exit 2; }
here=$(pwd)
tree=var/stack/ab/code

restore() {
  echo "ab: the app processes back on this checkout's code" >&2
  bash deploy/stack/stack.sh apps >&2 || true
  git worktree remove --force "$tree" 2>/dev/null || true
  git worktree prune
}

git worktree remove --force "$tree" 2>/dev/null || true
mkdir -p var/stack/ab
git worktree add --detach --quiet "$tree" "$commit"
trap restore EXIT

side() {  # before|after pair
  local code=$here
  [ "$1" = before ] && code=$here/$tree
  STACK_CODE=$code bash deploy/stack/stack.sh apps >&2
  bash bench/stack/run.sh "$label-$1-$2"
}

for pair in $(seq 1 "$pairs"); do
  if [ $((pair % 2)) -eq 1 ]; then
    side before "$pair"
    side after "$pair"
  else
    side after "$pair"
    side before "$pair"
  fi
done
trap - EXIT
restore
.venv/bin/python bench/stack/ab_report.py "$label" "$pairs"
