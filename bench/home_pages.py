"""What a logged-in user's home page costs in the server process, made and cached (the HTTP
benchmark's home_user scenario measures cached pages: users returning within the cache's
lifetime with no catalog change in between; every catalog change makes every user's next
page a made one).

For each of USERS MovieLens users with ratings (their recommendations and the shared page
cached first, as a server that has been running has them): a whole request of
``GET /api/v1/feed/home/`` with their token through Django's handler (every middleware, the
token's checks), with the page made (the user's page namespace dropped first) and with it
cached, ROUNDS times each; and the same for ``/health/live`` as the reference. Prints the
median CPU time per request of this process (time.process_time: Django, and the client side
of the queries and cache reads; not PostgreSQL's or Redis's own work).

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

import io  # noqa: E402

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.handlers.wsgi import WSGIHandler  # noqa: E402

from apps.accounts.tokens import AccountRefreshToken  # noqa: E402
from apps.core.cache import namespace_invalidate  # noqa: E402
from apps.feed.cache import user_page_namespace  # noqa: E402
from apps.interactions.models import Interaction  # noqa: E402

HOME = "/api/v1/feed/home/"
handler = WSGIHandler()


def get(path: str, token: str | None = None) -> int:
    environ = {
        "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80", "HTTP_HOST": "127.0.0.1",
        "REMOTE_ADDR": "127.0.0.1", "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.input": io.BytesIO(b""), "wsgi.url_scheme": "http",
    }  # fmt: skip
    if token:
        environ["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    status = []
    b"".join(handler(environ, lambda line, headers: status.append(line)))
    return int(status[0].split()[0])


def cpu_us(path: str, token: str | None = None) -> float:
    started = time.process_time()
    status = get(path, token)
    spent = (time.process_time() - started) * 1e6
    if status != 200:
        raise SystemExit(f"bench: {path} answered {status}")
    return spent


def main(users: int = 100, rounds: int = 5) -> None:
    people = list(
        get_user_model()
        .objects.filter(username__startswith="ml_", pk__in=Interaction.objects.values("user_id"))
        .order_by("pk")[:users]
    )
    if not people:
        raise SystemExit("bench: no MovieLens users with ratings; run bench/run.sh first")
    tokens = {user.id: str(AccountRefreshToken.for_user(user).access_token) for user in people}
    get(HOME)
    for user in people:  # recommendations and the shared page cached
        get(HOME, tokens[user.id])
    made, cached, live = [], [], []
    for _ in range(rounds):
        for user in people:
            namespace_invalidate(user_page_namespace(user.id))
            made.append(cpu_us(HOME, tokens[user.id]))
            cached.append(cpu_us(HOME, tokens[user.id]))
            live.append(cpu_us("/health/live"))
    print(
        f"bench: {len(people)} users x {rounds} (median CPU per request): "
        f"logged-in feed/home/ made {statistics.median(made):.0f} us, "
        f"cached {statistics.median(cached):.0f} us; /health/live {statistics.median(live):.0f} us"
    )


if __name__ == "__main__":
    arguments = [int(argument) for argument in sys.argv[1:3]]
    main(*arguments)
