"""Throughput of like/unlike writes on one hot movie against one movie per thread.

Run against a scratch database (it creates users and movies and deletes them afterwards):

    DATABASE_URL=postgres://... .venv/bin/python bench/interactions_write_throughput.py \
        [--threads 8] [--ops 50] [--without-receivers]

Every write locks its user's row, not the movie's, and leaves the movie's counters a note that
a fold adds up later (apps/interactions/services/counters.py), so writes of different users to
one movie need not queue up; the two figures show whether a hot movie still costs anything.
``--without-receivers`` disconnects interaction_changed receivers (the recommendations
refresh) to time this app alone.
"""

import argparse
import os
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--ops", type=int, default=50, help="like+unlike pairs per thread")
    parser.add_argument("--without-receivers", action="store_true")
    options = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from django.db import connection

    from apps.accounts.tests.factories import UserFactory
    from apps.catalog.models import Movie
    from apps.interactions import services
    from apps.interactions.models import Interaction
    from apps.interactions.signals import interaction_changed
    from apps.interactions.tests.factories import MovieFactory

    if options.without_receivers:
        interaction_changed.receivers = []
        interaction_changed.sender_receivers_cache.clear()

    users = [UserFactory() for _ in range(options.threads)]
    hot = MovieFactory()
    spread = [MovieFactory() for _ in range(options.threads)]

    def run(movie_for) -> float:
        barrier = threading.Barrier(options.threads)

        def work(index: int) -> None:
            try:
                barrier.wait()
                movie_id = movie_for(index).pk
                for _ in range(options.ops):
                    services.like_add(user=users[index], movie_id=movie_id)
                    services.membership_remove(
                        user=users[index], movie_id=movie_id, interaction_type="like"
                    )
            finally:
                connection.close()

        threads = [threading.Thread(target=work, args=(i,)) for i in range(options.threads)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return time.perf_counter() - started

    writes = options.threads * options.ops * 2
    try:
        for label, movie_for in (
            ("one hot movie", lambda index: hot),
            ("one movie per thread", lambda index: spread[index]),
        ):
            elapsed = run(movie_for)
            print(
                f"{label}: {writes} writes by {options.threads} threads in {elapsed:.2f}s "
                f"= {writes / elapsed:.0f} writes/s"
            )
        for movie in (hot, *spread):
            movie.refresh_from_db()
            rows = Interaction.objects.filter(movie=movie, interaction_type="like").count()
            assert movie.like_count == rows, (movie.pk, movie.like_count, rows)
        print("like_count equals the like rows on every movie afterwards")
    finally:
        Interaction.objects.filter(user__in=users).delete()
        Movie.objects.filter(pk__in=[hot.pk, *(movie.pk for movie in spread)]).delete()
        for user in users:
            user.delete()


if __name__ == "__main__":
    main()
