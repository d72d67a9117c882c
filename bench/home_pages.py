"""What a logged-in user's home page costs in the server process, made and cached (the HTTP
benchmark's home_user scenario measures cached pages: users returning within the cache's
lifetime with no catalog change in between; every catalog change makes every user's next
page a made one).

For each of USERS MovieLens users with ratings (their recommendations and the shared page
cached first, as a server that has been running has them): the page made (the user's page
namespace dropped first) and the page read from the cache, ROUNDS times each; prints the
median CPU time per page of this process (time.process_time: Django, the queries' and cache
reads' client side; not PostgreSQL's or Redis's own work).

Usage: python bench/home_pages.py [USERS] [ROUNDS] (the benchmark's settings and database in the
environment, after bench/run.sh has imported the data and trained the recommender).
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.prod")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402

from apps.core.cache import namespace_invalidate  # noqa: E402
from apps.feed.cache import user_page_namespace  # noqa: E402
from apps.feed.personal import home_page  # noqa: E402
from apps.interactions.models import Interaction  # noqa: E402


def cpu_us(function) -> float:
    started = time.process_time()
    function()
    return (time.process_time() - started) * 1e6


def main(users: int = 100, rounds: int = 5) -> None:
    people = list(
        get_user_model()
        .objects.filter(username__startswith="ml_", pk__in=Interaction.objects.values("user_id"))
        .order_by("pk")[:users]
    )
    if not people:
        raise SystemExit("bench: no MovieLens users with ratings; run bench/run.sh first")
    for user in people:  # recommendations and the shared page cached
        home_page(user=user)
    made, cached = [], []
    for _ in range(rounds):
        for user in people:
            namespace_invalidate(user_page_namespace(user.id))
            made.append(cpu_us(lambda user=user: home_page(user=user)))
            cached.append(cpu_us(lambda user=user: home_page(user=user)))
    print(
        f"bench: {len(people)} users x {rounds}: page made {statistics.median(made):.0f} us, "
        f"cached {statistics.median(cached):.0f} us of CPU (median)"
    )


if __name__ == "__main__":
    arguments = [int(argument) for argument in sys.argv[1:3]]
    main(*arguments)
