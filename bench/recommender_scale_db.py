"""The scale bench's end-to-end part: a synthetic year in PostgreSQL, then train_recommender.

Used by ``bench/recommender_scale.py --database URL``. The database must exist and be empty
(it is migrated here). Users, movies, genres and interactions are written by COPY (foreign
key triggers off while loading, every index kept); then ``manage.py train_recommender`` runs
in its own process, timed, its peak resident memory read from the kernel, and the stored
recommendations measured with their indexes (``pg_total_relation_size``).
"""

from __future__ import annotations

import io
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
TYPES = ("view", "rating", "watchlist", "like", "favorite", "dislike")
GENRES = 19


def _copy(cursor, table: str, columns: str, lines) -> None:
    with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        buffer = io.StringIO()
        for n, line in enumerate(lines, 1):
            buffer.write(line)
            if n % 200_000 == 0:
                copy.write(buffer.getvalue())
                buffer = io.StringIO()
        copy.write(buffer.getvalue())


def database_load(url: str, data, kinds: np.ndarray, ratings: np.ndarray, now: int) -> dict:
    """Write the synthetic year into ``url``; returns counts and seconds."""
    import psycopg

    started = time.perf_counter()
    environment = {**os.environ, "DATABASE_URL": url}
    subprocess.run(
        [sys.executable, "manage.py", "migrate_all", "-v", "0"],
        cwd=ROOT,
        env=environment,
        check=True,
    )
    users, items = data.users.astype(np.int64), data.items.astype(np.int64)
    keys = (users * data.n_items + items) * len(TYPES) + kinds
    _, first = np.unique(keys, return_index=True)  # one (user, movie, type), as the table says
    stamp = "2026-01-01 00:00:00+00"
    with psycopg.connect(url, autocommit=True) as connection, connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")  # no FK triggers while loading
        _copy(
            cursor,
            "users",
            "id, password, is_superuser, username, first_name, last_name, is_staff, "
            "is_active, date_joined, email, is_premium, created_at, updated_at, token_version, "
            "email_version, username_key, username_skeleton, email_key",
            (
                f"{u + 1}\t!\tf\tscale_{u + 1}\t\t\tf\tt\t{stamp}\tscale_{u + 1}@example.com\tf"
                f"\t{stamp}\t{stamp}\t0\t0\tscale_{u + 1}\tscale_{u + 1}"
                f"\tscale_{u + 1}@example.com\n"
                for u in range(data.n_users)
            ),
        )
        _copy(
            cursor,
            "movies",
            "id, created_at, updated_at, title, original_title, overview, tagline, status, "
            "homepage, tmdb_vote_count, rating_count, rating_sum, popularity_score, "
            "view_count, like_count, dislike_count, adult, video, original_language, "
            "is_original, is_active",
            (
                f"{i + 1}\t{stamp}\t{stamp}\tMovie {i + 1}\tMovie {i + 1}\t\t\tReleased\t\t0\t0"
                f"\t0\t0\t0\t0\t0\tf\tf\ten\tf\tt\n"
                for i in range(data.n_items)
            ),
        )
        _copy(
            cursor,
            "genres",
            "id, name, slug, created_at",
            (f"{g + 1}\tGenre {g}\tgenre-{g}\t{stamp}\n" for g in range(GENRES)),
        )
        rng = np.random.default_rng(5)
        genre_rows = {
            (i, int(g))
            for i in range(data.n_items)
            for g in rng.choice(GENRES, size=1 + i % 3, replace=False)
        }
        _copy(
            cursor,
            "movie_genres",
            "movie_id, genre_id",
            (f"{i + 1}\t{g + 1}\n" for i, g in sorted(genre_rows)),
        )
        moments = np.asarray(now - (data.now - data.timestamps), dtype=np.int64)
        rating_of = np.full(users.size, -1.0)
        rating_of[kinds == TYPES.index("rating")] = ratings

        def interaction_lines():
            for e in first.tolist():
                rating = rating_of[e]
                value = f"{rating:.1f}" if rating >= 0 else "\\N"
                when = time.strftime("%Y-%m-%d %H:%M:%S+00", time.gmtime(int(moments[e])))
                yield (
                    f"{TYPES[kinds[e]]}\t\t1\tweb\t{when}\t{items[e] + 1}\t{users[e] + 1}"
                    f"\t{value}\n"
                )

        _copy(
            cursor,
            "user_movie_interactions",
            "interaction_type, notes, count, source, timestamp, movie_id, user_id, rating",
            interaction_lines(),
        )
        for table in ("users", "movies", "genres", "movie_genres", "user_movie_interactions"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"(SELECT max(id) FROM {table}))"
            )
        cursor.execute("ANALYZE")
    return {"interactions_loaded": int(first.size), "load_s": time.perf_counter() - started}


def recommendations_clear(url: str) -> None:
    """Empty what train_recommender writes (lists, states, reasons), as after a fresh load."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection, connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE user_recommendations, recommendation_states, recommendation_reasons CASCADE"
        )
        cursor.execute("VACUUM ANALYZE")


def train_measure(url: str, code: Path = ROOT) -> dict:
    """Run train_recommender in a child process: wall time, peak RSS, stored size.

    ``code`` is the checkout whose ``manage.py`` runs (another commit's worktree gives the
    before column of a before/after comparison on the same data)."""
    import psycopg

    environment = {**os.environ, "DATABASE_URL": url}
    environment.pop("REDIS_URL", None)  # local memory cache: the bench has no broker
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "manage.py", "train_recommender"],
        cwd=code,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - started
    if completed.returncode != 0:
        raise RuntimeError(completed.stderr[-3000:])
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak_mb = after.ru_maxrss / 1024
    # CPU time of train_recommender itself (not PostgreSQL's): what the wall time would be on
    # cores of its own, less the waits on the database.
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    with psycopg.connect(url) as connection, connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_total_relation_size('user_recommendations'), "
            "pg_relation_size('user_recommendations'), count(*), count(DISTINCT user_id) "
            "FROM user_recommendations"
        )
        total, heap, rows, users = cursor.fetchone()
    one = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "recommender_refresh_one.py")],
        cwd=code,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if one.returncode != 0:
        raise RuntimeError(one.stderr[-3000:])
    return {
        **json.loads(one.stdout.strip().splitlines()[-1]),
        "train_wall_s": wall,
        "train_cpu_s": round(cpu, 1),
        "train_peak_rss_mb": peak_mb,
        "stored_bytes": int(total),
        "stored_heap_bytes": int(heap),
        "stored_rows": int(rows),
        "stored_users": int(users),
        "train_output_tail": completed.stdout.strip().splitlines()[-1][:2000],
    }
