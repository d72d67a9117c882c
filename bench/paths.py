"""Write the request paths of each benchmark scenario, one file per scenario, from the data.

Usage: python bench/paths.py OUTDIR (with the benchmark's Django settings in the environment).
"""

import os
import random
import sys
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.prod")

import django

django.setup()

from apps.catalog.models import Movie  # noqa: E402
from apps.feed.models import Collection, CollectionItem, NewsArticle  # noqa: E402
from apps.interactions.models import Interaction  # noqa: E402

DETAIL_IDS = int(os.environ.get("BENCH_DETAIL_IDS", "2000"))
SEARCH_QUERIES = 200
LISTS = [
    ("movies/popular", {}),
    ("movies/top-rated", {}),
    ("movies/upcoming", {}),
    ("movies/now-playing", {}),
    ("movies/trending", {"window": "day"}),
    ("movies/trending", {"window": "week"}),
    ("genres", {}),
    ("people/popular", {}),
    ("shows/top-rated", {}),
]
HOME_USERS = int(os.environ.get("BENCH_HOME_USERS", "300"))
TYPOS = ["godfahter", "matrx", "star wras", "terminatr", "forest gump", "shawshank redemtion"]


def main(outdir: Path) -> None:
    outdir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(42)  # the same paths on every run, so runs compare
    ids = list(Movie.objects.filter(is_active=True).values_list("pk", flat=True))
    if not ids:
        raise SystemExit("bench: no movies in the database; the import failed")
    titles = list(Movie.objects.filter(is_active=True).values_list("title", flat=True))

    scenarios = {
        "reference": ["/api/v1/bench/reference/"],
        "popular": ["/api/v1/movies/popular/"],
        # Every cached list, a few pages of each: what anonymous browsing of the lists costs.
        "lists": [
            f"/api/v1/{name}/?{urlencode({'page': page, **params})}"
            for name, params in LISTS
            for page in range(1, 6)
        ],
        "detail": [f"/api/v1/movies/{pk}/" for pk in rng.sample(ids, min(DETAIL_IDS, len(ids)))],
        # The same movies computed as a cache miss is, however warm the cache (bench-only route).
        "detail_miss": [
            f"/api/v1/bench/movies/{pk}/" for pk in rng.sample(ids, min(DETAIL_IDS, len(ids)))
        ],
        # A few ids that the warm-up caches: the detail answered from the byte cache.
        "detail_hot": [f"/api/v1/movies/{pk}/" for pk in rng.sample(ids, min(50, len(ids)))],
        "search": [],
    }
    words = [w for title in rng.sample(titles, SEARCH_QUERIES) for w in title.split() if len(w) > 3]
    queries = rng.sample(words, min(SEARCH_QUERIES - len(TYPOS), len(words))) + TYPOS
    scenarios["search"] = [f"/api/v1/search/?{urlencode({'q': q})}" for q in queries]
    # The same queries computed as a cache miss is (bench-only route).
    scenarios["search_miss"] = [f"/api/v1/bench/search/?{urlencode({'q': q})}" for q in queries]
    # The home page: /health/live as its reference, anonymous (same bytes for all), and
    # logged in (a token of one of HOME_USERS MovieLens users a request, in
    # bench/stack/mix.lua's "METHOD<TAB>PATH<TAB>TOKEN" format).
    scenarios["live"] = ["/health/live"]
    scenarios["home"] = ["/api/v1/feed/home/"]
    home_editorial(ids)
    scenarios["home_user"] = [
        f"GET\t/api/v1/feed/home/\t{token}" for token in user_tokens(HOME_USERS)
    ]
    for name, paths in scenarios.items():
        (outdir / f"{name}.txt").write_text("\n".join(paths) + "\n")
    print(
        f"bench: {len(ids)} movies; {len(scenarios['detail'])} detail ids; {len(queries)} queries"
    )


def home_editorial(ids: list[int]) -> None:
    """An editor's collection and two articles, so that the page has what editors add."""
    from django.utils import timezone

    if Collection.objects.filter(slug="bench-picks").exists():
        return
    now = timezone.now()
    collection = Collection.objects.create(
        title="Bench picks", slug="bench-picks", publish_start=now
    )
    CollectionItem.objects.bulk_create(
        CollectionItem(collection=collection, movie_id=pk, position=position)
        for position, pk in enumerate(ids[:10])
    )
    for n in (1, 2):
        NewsArticle.objects.create(
            title=f"Bench news {n}", slug=f"bench-news-{n}", summary="What happened",
            body="Some **news**.", status="published", published_at=now,
        )  # fmt: skip


def user_tokens(count: int) -> list[str]:
    """Access tokens of ``count`` MovieLens users with ratings (minted directly, valid 6 h:
    logging them in would measure the password hasher)."""
    from datetime import timedelta

    from django.contrib.auth import get_user_model

    from apps.accounts.tokens import AccountRefreshToken

    users = (
        get_user_model()
        .objects.filter(username__startswith="ml_", pk__in=Interaction.objects.values("user_id"))
        .order_by("pk")[:count]
    )
    tokens = []
    for user in users:
        access = AccountRefreshToken.for_user(user).access_token
        access.set_exp(lifetime=timedelta(hours=6))
        tokens.append(str(access))
    if not tokens:
        raise SystemExit("bench: no MovieLens users with ratings; the import failed")
    return tokens


if __name__ == "__main__":
    main(Path(sys.argv[1]))
