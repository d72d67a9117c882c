"""Write the request files of the stack benchmark and drills (bench/stack/mix.lua's format:
"METHOD<TAB>PATH<TAB>ACCESS_TOKEN", then "<TAB>BODY" when the request has a JSON body, a line),
one per scenario, from the data in the database.

Access tokens are minted directly for many users (the project's own token class, so they carry
the token version and session the API checks), valid for BENCH_TOKEN_HOURS (default 6) so a
long run does not outlive them: logging in 2,000 users through Argon2 would measure the hasher.

    .venv/bin/python bench/stack/paths.py OUTDIR [--users 2000]

Run with the stack's environment (var/stack/env): the tokens are signed with its SECRET_KEY.
The "mix" scenario is the logged-in mix the drills load the stack with; point BENCH_MIX at any
file of the same format to drill with another one.

Every scenario but the likes is the same on every run (seeded), so bench/stack/warm.py can
warm it once. The likes are drawn anew on each run (LIKES lines, the same users): a like the
user has already made changes nothing and costs a fraction of a new one, and a fixed set
would be mostly repeats from the second run on. "like" draws any active movie alike;
"like_popular" draws movies as often as they already have interactions (their counters plus
one), the catalog's own skew, so most likes go to the popular movies, as in seed 002's data.

Two more scenarios measure what a like costs before it writes anything; run.sh runs them when
BENCH_SCENARIOS names them. "like_again" sends likes the benchmark's users already have (drawn
from their stored likes): the same request, authentication, throttle, transaction, user lock
and reads as a new like, and nothing written, nothing after the commit. "like_refused" sends
likes whose body fails validation (an unknown ``source``): a 400 after authentication and the
throttle, before any query. A new like costs what "like_again" costs and what its writes add.
"""

import argparse
import os
import random
import sys
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.prod")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db.models import Exists, OuterRef  # noqa: E402

from apps.accounts.tokens import AccountRefreshToken  # noqa: E402
from apps.catalog.models import Genre, Movie  # noqa: E402
from apps.interactions.models import Interaction, InteractionType  # noqa: E402

LISTS = ["movies/popular", "movies/top-rated", "movies/trending", "movies/now-playing"]
ORDERINGS = ["-popularity", "-release_date", "title", "-rating"]
# The logged-in mix: what a signed-in user's session does, by share of requests.
MIX = {
    "detail_user": 30,
    "lists": 20,
    "recommendations": 15,
    "filtered": 10,
    "search": 10,
    "detail": 10,
    "like": 5,
}


LIKES = 50000  # like lines per run: wrk draws a few thousand, so few repeat within a run


def tokens_for(users, hours: int) -> list[str]:
    tokens = []
    for user in users:
        access = AccountRefreshToken.for_user(user).access_token
        access.set_exp(lifetime=timedelta(hours=hours))
        tokens.append(str(access))
    return tokens


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--users", type=int, default=2000)
    parser.add_argument("--detail-ids", type=int, default=2000)
    args = parser.parse_args()
    rng = random.Random(42)
    args.outdir.mkdir(parents=True, exist_ok=True)

    counted = list(
        Movie.objects.filter(is_active=True)
        .order_by("pk")
        .values_list("pk", "like_count", "dislike_count", "view_count", "rating_count")
    )
    movie_ids = [pk for pk, *_ in counted]
    popularity = [1 + sum(counts) for _, *counts in counted]
    if not movie_ids:
        raise SystemExit("bench: no movies; start the stack with ML_DIR set")
    titles = list(
        Movie.objects.filter(pk__in=rng.sample(movie_ids, min(400, len(movie_ids))))
        .order_by("pk")
        .values_list("title", flat=True)
    )
    genre_ids = list(Genre.objects.order_by("pk").values_list("pk", flat=True))
    active = get_user_model().objects.filter(
        Exists(Interaction.objects.filter(user_id=OuterRef("pk"))), is_active=True
    )
    # In id order: the same users every run (bench/stack/warm.py stores their lists first).
    user_ids = list(active.order_by("pk").values_list("pk", flat=True))
    users = list(
        get_user_model()
        .objects.filter(pk__in=rng.sample(user_ids, min(args.users, len(user_ids))))
        .order_by("pk")
        .only("pk", "token_version")
    )
    tokens = tokens_for(users, int(os.environ.get("BENCH_TOKEN_HOURS", "6")))
    token_of = {user.pk: access for user, access in zip(users, tokens, strict=True)}
    ids = rng.sample(movie_ids, min(args.detail_ids, len(movie_ids)))
    words = [w for t in titles for w in t.split() if len(w) > 3 and w.isalpha()]

    def token(source: random.Random = rng) -> str:
        return source.choice(tokens)

    fresh = random.Random()  # the likes: new pairs on every run (module doc)
    liked = list(
        Interaction.objects.filter(user_id__in=token_of, interaction_type=InteractionType.LIKE)
        .order_by("pk")
        .values_list("user_id", "movie_id")
    )
    liked = fresh.sample(liked, min(LIKES, len(liked)))

    scenarios = {
        "reference": [("GET", "/health/live", "")],
        "lists": [
            ("GET", f"/api/v1/{name}/?{urlencode({'page': page})}", "")
            for name in LISTS
            for page in range(1, 6)
        ],
        "filtered": [
            (
                "GET",
                "/api/v1/movies/?"
                + urlencode(
                    {
                        "genre": rng.choice(genre_ids),
                        "year_min": rng.choice([1980, 1990, 2000, 2010]),
                        "ordering": rng.choice(ORDERINGS),
                        "page": rng.randint(1, 3),
                    }
                ),
                "",
            )
            for _ in range(300)
        ],
        "search": [
            ("GET", f"/api/v1/search/?{urlencode({'q': w})}", "") for w in rng.sample(words, 200)
        ],
        "detail": [("GET", f"/api/v1/movies/{pk}/", "") for pk in ids],
        "detail_user": [("GET", f"/api/v1/movies/{pk}/", token()) for pk in ids],
        "recommendations": [("GET", "/api/v1/me/recommendations/", t) for t in tokens],
        "like": [
            ("POST", f"/api/v1/movies/{fresh.choice(movie_ids)}/like/", token(fresh))
            for _ in range(LIKES)
        ],
        "like_popular": [
            ("POST", f"/api/v1/movies/{pk}/like/", token(fresh))
            for pk in fresh.choices(movie_ids, weights=popularity, k=LIKES)
        ],
        "like_again": [
            ("POST", f"/api/v1/movies/{movie_id}/like/", token_of[user_id])
            for user_id, movie_id in liked
        ],
        "like_refused": [
            (
                "POST",
                f"/api/v1/movies/{fresh.choice(movie_ids)}/like/",
                token(fresh),
                '{"source": "nowhere"}',
            )
            for _ in range(LIKES)
        ],
    }
    mix = []
    for name, share in MIX.items():
        mix.extend((fresh if name == "like" else rng).choices(scenarios[name], k=share * 100))
    scenarios["mix"] = mix
    # The drills' mix without writes: every request is one nginx may retry on the other server.
    scenarios["mix_get"] = [line for line in mix if line[0] == "GET"]
    for name, lines in scenarios.items():
        text = "".join("\t".join(line) + "\n" for line in lines)
        (args.outdir / f"{name}.txt").write_text(text)
    print(f"bench: {len(movie_ids)} movies, {len(tokens)} users with tokens, in {args.outdir}")


if __name__ == "__main__":
    main()
