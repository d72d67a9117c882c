"""Fill a database up to seed 002's one-year volumes with COPY, for measuring the stack at scale.

Adds users, movies, interactions and activity rows until the tables hold the totals asked for
(default: 100,000 users, 50,000 movies, 10,000,000 interactions, 10,000,000 activity rows),
beside what is there (the stack's MovieLens import). Skewed as real use is: movie popularity
follows a Zipf-like law (the head gets most interactions), user activity is log-normal, and
interaction kinds are mostly views and ratings. Secondary indexes of the two big tables are
dropped for the COPY and built again after it (their definitions are read from pg_indexes, so
they stay what the migrations made), then the movies' counters are recomputed as the app keeps
them, the tables are vacuumed and analysed, and a checkpoint is taken. Every generated user has
the password SEED_PASSWORD.

    .venv/bin/python bench/seed_volumes.py --database-url $STACK_PRIMARY_URL [--users N] ...

Talks to PostgreSQL directly (psycopg), not through Django's ORM: only COPY makes 20 million
rows in minutes. Django is set up once to hash the password as the app does.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SEED_PASSWORD = "seed-volume-password-1"  # noqa: S105 - the benchmark users' known password
YEAR = 365 * 86400
TYPES = ("view", "rating", "watchlist", "like", "favorite", "dislike", "share")
TYPE_SHARES = (0.50, 0.26, 0.08, 0.08, 0.04, 0.02, 0.02)
ACTIONS = (
    "movie_view",
    "movie_search",
    "recommendation_click",
    "rating_submit",
    "favorite_add",
    "watchlist_add",
    "email_open",
)
ACTION_SHARES = (0.55, 0.2, 0.08, 0.08, 0.04, 0.03, 0.02)
LANGUAGES = ("en", "fr", "es", "de", "ja", "ko", "it", "hi")
LANGUAGE_SHARES = (0.62, 0.08, 0.08, 0.06, 0.06, 0.04, 0.03, 0.03)
CHUNK = 500_000


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def password_hash() -> str:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password

    return make_password(SEED_PASSWORD)


def count(cur, table: str) -> int:
    cur.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - fixed table names
    return cur.fetchone()[0]


def copy_lines(cur, statement: str, lines) -> None:
    with cur.copy(statement) as copy:
        buffer = io.StringIO()
        for index, line in enumerate(lines, 1):
            buffer.write(line)
            if index % 100_000 == 0:
                copy.write(buffer.getvalue())
                buffer = io.StringIO()
        copy.write(buffer.getvalue())


def iso(epoch: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S+00", time.gmtime(int(epoch)))


def add_users(cur, rng, wanted: int, now: int) -> None:
    have = count(cur, "users")
    todo = max(0, wanted - have)
    say(f"users: {have} present, adding {todo}")
    if not todo:
        return
    cur.execute("SELECT coalesce(max(id), 0) FROM users")
    start = cur.fetchone()[0] + 1
    hashed = password_hash()
    # The compared forms of the username and email, computed as User.save() does.
    from apps.accounts.identity import identity_fold, username_skeleton

    joined = now - rng.integers(0, YEAR, size=todo)

    def line(i: int) -> str:
        name, email, stamp = f"seed_{start + i}", f"seed_{start + i}@example.com", iso(joined[i])
        return (
            f"{hashed}\tf\t{name}\t\t\tf\tt\t{stamp}\t{email}\tf\t{stamp}\t{stamp}\t0\t0\t"
            f"{identity_fold(name)}\t{username_skeleton(name)}\t{identity_fold(email)}\n"
        )

    copy_lines(
        cur,
        "COPY users (password, is_superuser, username, first_name, last_name, is_staff, "
        "is_active, date_joined, email, is_premium, created_at, updated_at, token_version, "
        "email_version, username_key, username_skeleton, email_key) FROM STDIN",
        (line(i) for i in range(todo)),
    )
    cur.execute(
        "INSERT INTO user_profiles (created_at, updated_at, bio, preferred_language, timezone, "
        "country, user_id) SELECT date_joined, date_joined, '', 'en', 'UTC', '', id FROM users "
        "WHERE username LIKE 'seed\\_%' AND id NOT IN (SELECT user_id FROM user_profiles)"
    )


def add_movies(cur, rng, wanted: int, now: int) -> None:
    have = count(cur, "movies")
    todo = max(0, wanted - have)
    say(f"movies: {have} present, adding {todo}")
    if not todo:
        return
    cur.execute("SELECT title FROM movies LIMIT 20000")
    words = sorted(
        {w.strip("(),.:!?").lower() for (t,) in cur.fetchall() for w in t.split() if len(w) > 3}
        - {""}
    ) or ["story", "night", "return", "city", "love", "war"]
    vocabulary = np.array(words)
    years = rng.integers(1950, 2027, size=todo)
    days = rng.integers(1, 29, size=todo)
    months = rng.integers(1, 13, size=todo)
    languages = rng.choice(LANGUAGES, size=todo, p=LANGUAGE_SHARES)
    ratings = np.round(rng.normal(6.3, 1.1, size=todo).clip(1, 9.9), 1)
    votes = rng.zipf(1.6, size=todo).clip(0, 30000)
    popularity = np.round(1000.0 / np.power(np.arange(1, todo + 1) + 5.0, 0.9), 4)
    rng.shuffle(popularity)
    stamp = iso(now)
    lines = []
    for i in range(todo):
        title = " ".join(rng.choice(vocabulary, size=int(rng.integers(1, 4)))).title()
        title = f"{title} {i % 997}"[:200]
        lines.append(
            f"{stamp}\t{stamp}\t{title}\t{title}\t\t\t{years[i]}-{months[i]:02d}-{days[i]:02d}\t"
            f"{years[i]}\tReleased\t\t{ratings[i]}\t{votes[i]}\t0\t0\t{popularity[i]}\t0\t0\t0\t"
            f"f\tf\t{languages[i]}\tf\tt\n"
        )
    copy_lines(
        cur,
        "COPY movies (created_at, updated_at, title, original_title, overview, tagline, "
        "release_date, release_year, status, homepage, tmdb_rating, tmdb_vote_count, "
        "rating_count, rating_sum, popularity_score, view_count, like_count, dislike_count, "
        "adult, video, original_language, is_original, is_active) FROM STDIN",
        lines,
    )
    cur.execute(
        "INSERT INTO movie_genres (movie_id, genre_id) SELECT m.id, g.id FROM movies m "
        "CROSS JOIN LATERAL (SELECT id FROM genres ORDER BY random() + m.id * 0 LIMIT "
        "1 + (m.id % 3)) g WHERE m.movielens_id IS NULL AND m.tmdb_id IS NULL "
        "AND NOT EXISTS (SELECT 1 FROM movie_genres mg WHERE mg.movie_id = m.id)"
    )


def ids_of(cur, table: str) -> np.ndarray:
    cur.execute(f"SELECT id FROM {table} ORDER BY id")  # noqa: S608
    return np.array([row[0] for row in cur.fetchall()], dtype=np.int64)


def skewed_movies(rng, movie_ids: np.ndarray, size: int) -> np.ndarray:
    """Movie ids drawn Zipf-like: the 1 % most popular get about a third of the draws."""
    weights = 1.0 / np.power(np.arange(1, movie_ids.size + 1) + 10.0, 1.05)
    weights /= weights.sum()
    order = rng.permutation(movie_ids)  # which movies are popular: any, not the first ids
    return order[rng.choice(movie_ids.size, size=size, p=weights)]


def skewed_users(rng, user_ids: np.ndarray, size: int) -> np.ndarray:
    activity = rng.lognormal(0.0, 1.2, size=user_ids.size)
    activity /= activity.sum()
    return user_ids[rng.choice(user_ids.size, size=size, p=activity)]


def secondary_indexes(cur, table: str) -> list[tuple[str, str]]:
    cur.execute(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s AND NOT EXISTS "
        "(SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
        [table],
    )
    return cur.fetchall()


@contextmanager
def indexes_dropped(cur, table: str, label: str) -> Iterator[None]:
    """The table's secondary indexes dropped for a COPY, and built again after it, also when
    the COPY fails (the chunks committed so far stay, and a table left without its indexes
    would make every later measurement of the stack wrong)."""
    indexes = secondary_indexes(cur, table)
    for name, _ in indexes:
        cur.execute(f'DROP INDEX "{name}"')
    say(f"{label}: {len(indexes)} secondary indexes dropped for the COPY")
    try:
        yield
    finally:
        cur.connection.rollback()  # an uncommitted chunk, if a failure left one
        for name, definition in indexes:
            say(f"{label}: building {name}")
            cur.execute(definition.replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS", 1))
        cur.connection.commit()


def add_interactions(cur, rng, wanted: int, now: int, user_ids, movie_ids) -> None:
    have = count(cur, "user_movie_interactions")
    todo = max(0, wanted - have)
    say(f"interactions: {have} present, adding {todo}")
    if not todo:
        return
    cur.execute("SELECT DISTINCT user_id FROM user_movie_interactions")
    taken = {row[0] for row in cur.fetchall()}
    fresh_users = np.array([u for u in user_ids if u not in taken], dtype=np.int64)
    draw = int(todo * 1.25)
    users = skewed_users(rng, fresh_users, draw)
    movies = skewed_movies(rng, movie_ids, draw)
    kinds = rng.choice(len(TYPES), size=draw, p=TYPE_SHARES).astype(np.int64)
    key = (users * (movie_ids.max() + 1) + movies) * len(TYPES) + kinds
    _, first = np.unique(key, return_index=True)
    if first.size < todo:
        raise SystemExit(f"only {first.size} distinct interactions drawn; raise the oversampling")
    keep = rng.permutation(first)[:todo]
    users, movies, kinds = users[keep], movies[keep], kinds[keep]
    # Written oldest first, as a live table grows: rows of one week sit together on disk.
    stamps = np.sort(now - rng.integers(0, YEAR, size=todo))
    halves = rng.choice(
        np.arange(1, 11), size=todo, p=[0.02, 0.03, 0.04, 0.06, 0.1, 0.15, 0.2, 0.2, 0.12, 0.08]
    )
    say(f"interactions: COPY of {todo} rows")
    with indexes_dropped(cur, "user_movie_interactions", "interactions"):
        _copy_interactions(cur, todo, users, movies, kinds, stamps, halves)


def _copy_interactions(cur, todo: int, users, movies, kinds, stamps, halves) -> None:
    for start in range(0, todo, CHUNK):
        part = range(start, min(todo, start + CHUNK))
        copy_lines(
            cur,
            "COPY user_movie_interactions (interaction_type, rating, notes, count, source, "
            "timestamp, movie_id, user_id) FROM STDIN",
            (
                f"{TYPES[kinds[i]]}\t{halves[i] / 2 if kinds[i] == 1 else chr(92) + 'N'}\t\t1\t"
                f"{'web' if i % 3 else 'mobile'}\t{iso(stamps[i])}\t{movies[i]}\t{users[i]}\n"
                for i in part
            ),
        )
        # Commit each chunk: the deferred foreign key checks of a chunk run at its commit, and
        # an index cannot be built while any are pending.
        cur.connection.commit()
        say(f"interactions: {part.stop} of {todo}")


def add_activity(cur, rng, wanted: int, now: int, user_ids, movie_ids) -> None:
    have = count(cur, "user_activity_logs")
    todo = max(0, wanted - have)
    say(f"activity: {have} present, adding {todo}")
    if not todo:
        return
    with indexes_dropped(cur, "user_activity_logs", "activity"):
        _copy_activity(cur, rng, todo, now, user_ids, movie_ids)


def _copy_activity(cur, rng, todo: int, now: int, user_ids, movie_ids) -> None:
    null = chr(92) + "N"
    for start in range(0, todo, CHUNK):
        size = min(CHUNK, todo - start)
        users = skewed_users(rng, user_ids, size)
        anonymous = rng.random(size) < 0.2
        movies = skewed_movies(rng, movie_ids, size)
        actions = rng.choice(len(ACTIONS), size=size, p=ACTION_SHARES)
        stamps = np.sort(now - YEAR + (start + np.arange(size)) * YEAR // todo)
        octets = rng.integers(1, 255, size=(size, 2))
        copy_lines(
            cur,
            "COPY user_activity_logs (user_id, session_id, action_type, movie_id, ip_address, "
            "user_agent, source, metadata, timestamp) FROM STDIN",
            (
                f"{null if anonymous[i] else users[i]}\ts{users[i] % 99991:x}{stamps[i] // 3600:x}"
                f"\t{ACTIONS[actions[i]]}\t{null if actions[i] == 1 else movies[i]}\t"
                f"198.51.{octets[i, 0]}.{octets[i, 1]}\tMozilla/5.0 (bench)\t"
                f"{'web' if i % 4 else 'mobile'}\t{{}}\t{iso(stamps[i])}\n"
                for i in range(size)
            ),
        )
        cur.connection.commit()
        say(f"activity: {start + size} of {todo}")


def recount_movies(cur) -> None:
    """The counters the app keeps per movie (apps.interactions.services.aggregates), at once."""
    say("movies: recomputing likes, dislikes, views and ratings from the interactions")
    cur.execute(
        "UPDATE movies m SET like_count = a.likes, dislike_count = a.dislikes, "
        "view_count = a.views, rating_count = a.ratings, rating_sum = a.total, "
        "our_rating = CASE WHEN a.ratings > 0 THEN round(a.total / a.ratings, 1) END "
        "FROM (SELECT movie_id, count(*) FILTER (WHERE interaction_type = 'like') AS likes, "
        "count(*) FILTER (WHERE interaction_type = 'dislike') AS dislikes, "
        "coalesce(sum(count) FILTER (WHERE interaction_type = 'view'), 0) AS views, "
        "count(*) FILTER (WHERE interaction_type = 'rating') AS ratings, "
        "coalesce(sum(rating) FILTER (WHERE interaction_type = 'rating'), 0) AS total "
        "FROM user_movie_interactions GROUP BY movie_id) a WHERE m.id = a.movie_id"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("STACK_PRIMARY_URL"))
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--movies", type=int, default=50_000)
    parser.add_argument("--interactions", type=int, default=10_000_000)
    parser.add_argument("--activity", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=20241201)
    args = parser.parse_args()
    if not args.database_url:
        parser.error("--database-url (or STACK_PRIMARY_URL from var/stack/env) is required")
    rng = np.random.default_rng(args.seed)
    now = int(time.time())
    started = time.perf_counter()
    with psycopg.connect(args.database_url) as connection, connection.cursor() as cur:
        cur.execute("SET maintenance_work_mem = '1GB'")
        add_users(cur, rng, args.users, now)
        add_movies(cur, rng, args.movies, now)
        connection.commit()
        user_ids, movie_ids = ids_of(cur, "users"), ids_of(cur, "movies")
        add_interactions(cur, rng, args.interactions, now, user_ids, movie_ids)
        connection.commit()
        add_activity(cur, rng, args.activity, now, user_ids, movie_ids)
        connection.commit()
        recount_movies(cur)
        connection.commit()
    with psycopg.connect(args.database_url, autocommit=True) as connection:
        # Left to the server, this work lands in the first measured rounds: autovacuum visits
        # the tables the COPY filled (PostgreSQL 13 and later vacuum after inserts too), and
        # the first checkpoint writes the seed's gigabytes (a round right after the seed ran
        # the like at 130 a second against 351 three minutes later, issue 16). So both are
        # done here: VACUUM also sets the visibility map the index-only scans read.
        say("VACUUM (ANALYZE)")
        connection.execute("VACUUM (ANALYZE)")
        say("CHECKPOINT")
        connection.execute("CHECKPOINT")
        for table in ("users", "movies", "user_movie_interactions", "user_activity_logs"):
            total = connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
            say(f"{table}: {total} rows")
    say(f"done in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
