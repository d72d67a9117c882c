"""aggregate_metrics for one day of N activity events (default 1,000,000), on PostgreSQL.

Usage (a scratch analytics database: it writes N rows into one day's partition, then drops it):

  DATABASE_URL=postgres://... .venv/bin/python bench/analytics_aggregate.py \\
      [--events 1000000] [--day 2026-06-15] [--keep]

The day's month gets its own partition (as ``activity_partitions`` makes them), the events are
loaded with COPY (not timed): views 60 %, searches 10 %, likes 8 %, ratings 6 % (with a rating),
recommendation impressions 10 % (ten movies each), clicks 3 %, others 3 %, over 20,000 movies
and 50,000 users (popular movies drawn more often), plus request timing histograms for 40
endpoints. Then ``aggregate_day`` is timed, twice (the second run replaces the first's rows).
``/health/live``'s in-process time is printed for scale. Without ``--keep`` the partition is
dropped afterwards.
"""

import argparse
import json
import os
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django

django.setup()

ACTIONS = [
    ("movie_view", 60),
    ("movie_search", 10),
    ("like_add", 8),
    ("rating_submit", 6),
    ("recommendation_impression", 10),
    ("recommendation_click", 3),
    ("watchlist_add", 2),
    ("favorite_add", 1),
]


def load(day: date, events: int, seed: int = 7) -> None:
    from django.db import connection

    random.seed(seed)
    names = [name for name, _ in ACTIONS]
    weights = [weight for _, weight in ACTIONS]
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    columns = (
        "user_id, session_id, action_type, movie_id, ip_address, user_agent, referer, source, "
        'metadata, "timestamp"'
    )
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY user_activity_logs ({columns}) FROM STDIN") as copy,
    ):
        for n in range(events):
            action = random.choices(names, weights)[0]
            user = random.randint(1, 50_000)
            movie = int(random.paretovariate(1.2)) % 20_000 + 1
            metadata: dict = {}
            if action == "movie_search":
                movie, metadata = None, {"query": "q", "type": "movie", "results": 3}
            elif action == "rating_submit":
                metadata = {"rating": str(random.randint(1, 10) / 2)}
            elif action == "recommendation_impression":
                ids = [int(random.paretovariate(1.2)) % 20_000 + 1 for _ in range(10)]
                movie, metadata = (
                    None,
                    {
                        "engine": "hybrid",
                        "experiment": "",
                        "arm": "",
                        "count": 10,
                        "movie_ids": ids,
                    },
                )
            elif action == "recommendation_click":
                metadata = {"engine": "hybrid", "first": True}
            stamp = start + timedelta(seconds=n * 86_400 / events)
            copy.write_row(
                (
                    user,
                    f"s{user}",
                    action,
                    movie,
                    None,
                    "bench",
                    None,
                    "web",
                    json.dumps(metadata),
                    stamp,
                )
            )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--day", default="2026-06-15")
    parser.add_argument("--keep", action="store_true")
    options = parser.parse_args()

    from django.db import connection

    from apps.analytics.aggregation import aggregate_day
    from apps.analytics.models import (
        ActivityDaily,
        PerformanceMetric,
        PopularityMetric,
        RequestTiming,
    )
    from apps.analytics.partitions import is_partitioned, partition_create, partition_name

    if not is_partitioned():
        raise SystemExit("run this on PostgreSQL (DATABASE_URL), where the log is partitioned")
    day = date.fromisoformat(options.day)
    month = day.replace(day=1)
    partition_create(month)
    print(f"loading {options.events:,} events into {partition_name(month)} ...", flush=True)
    started = time.perf_counter()
    load(day, options.events)
    RequestTiming.objects.filter(day=day).delete()
    RequestTiming.objects.bulk_create(
        RequestTiming(day=day, endpoint=f"GET api/v1/e{e}/", bucket=b, count=random.randint(1, 500))
        for e in range(40)
        for b in range(20, 90)
    )
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {partition_name(month)}")
    print(f"loaded in {time.perf_counter() - started:.1f} s", flush=True)

    timings = []
    for _ in range(2):
        started = time.perf_counter()
        figures = aggregate_day(day)
        timings.append(time.perf_counter() - started)
    stored = PopularityMetric.objects.filter(date=day).count()
    print(
        f"aggregate_day({day}): {timings[0]:.1f} s, again {timings[1]:.1f} s "
        f"({figures.movies:,} movies, {figures.activity_rows} action types, "
        f"{figures.endpoints} endpoints; {stored:,} popularity rows)"
    )
    if not options.keep:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE {partition_name(month)}")
        PopularityMetric.objects.filter(date=day).delete()
        ActivityDaily.objects.filter(date=day).delete()
        PerformanceMetric.objects.filter(additional_data__date=day.isoformat()).delete()
        RequestTiming.objects.filter(day=day).delete()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
