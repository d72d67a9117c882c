"""What the refresh drain costs per user: the background work each like or rating makes due.

Run in the checkout being measured (the working directory: a git worktree of another commit
measures that commit's code with this script), against a database with trained engines and
stored lists, such as the stack's at seed 002's volumes (make stack, bench/seed_volumes.py,
train_recommender):

    set -a; . var/stack/env; set +a
    DATABASE_URL=$STACK_PRIMARY_URL DATABASE_REPLICA_URLS= \\
        .venv/bin/python /path/to/bench/recommendations_drain.py --rounds 5

Stop the stack's workers first (their drains would take the users this marks due). Each
round makes ``--users`` users with stored lists due, picked with a fixed seed per round, and
runs one drain of them (``recommendations_refresh_drain``, as the worker does), after one
warm-up round that loads the engines. Prints a JSON line per round and a summary: CPU
milliseconds per user refreshed in this process and in its PostgreSQL backend (read from
/proc, so the database must run on this machine), and wall milliseconds per user.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, os.getcwd())

TICKS = os.sysconf("SC_CLK_TCK")


def _backend_cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=20, help="users per drain (its batch)")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import django

    django.setup()
    import numpy as np
    from django.db import connection
    from django.db.models import F
    from django.utils import timezone

    from apps.recommendations import services
    from apps.recommendations.models import RecommendationState

    listed = np.asarray(
        RecommendationState.objects.filter(refreshed_at__isnull=False)
        .order_by("user_id")
        .values_list("user_id", flat=True)
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]

    def drain_round(seed: int) -> dict:
        chosen = np.random.default_rng(seed).choice(listed, size=args.users, replace=False)
        RecommendationState.objects.filter(user_id__in=chosen.tolist()).update(
            change_count=F("change_count") + 1, refresh_due_at=timezone.now()
        )
        cpu, db, wall = time.process_time(), _backend_cpu_seconds(backend), time.perf_counter()
        refreshed = services.recommendations_refresh_drain(every=True, batch=args.users)
        cpu = time.process_time() - cpu
        db = _backend_cpu_seconds(backend) - db
        wall = time.perf_counter() - wall
        done = max(len(refreshed), 1)
        return {
            "users": len(refreshed),
            "cpu_ms_per_user": round(cpu * 1000 / done, 2),
            "db_cpu_ms_per_user": round(db * 1000 / done, 2),
            "wall_ms_per_user": round(wall * 1000 / done, 2),
        }

    drain_round(1000)  # loads the engines
    rounds = [drain_round(seed) for seed in range(1, args.rounds + 1)]
    for row in rounds:
        print(json.dumps(row))
    print(
        json.dumps(
            {
                "code": os.getcwd(),
                "rounds": len(rounds),
                **{
                    f"median_{key}": round(statistics.median(row[key] for row in rounds), 2)
                    for key in ("cpu_ms_per_user", "db_cpu_ms_per_user", "wall_ms_per_user")
                },
            }
        )
    )


if __name__ == "__main__":
    main()
