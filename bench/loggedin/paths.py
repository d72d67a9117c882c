"""Write the request files of the logged-in benchmark (bench/loggedin/run.sh), one per scenario,
in bench/stack/mix.lua's format: "METHOD<TAB>PATH<TAB>ACCESS_TOKEN[<TAB>JSON_BODY]" a line.

Tokens are minted directly (the project's own token class, so they carry the token version and
session the API checks) for ``--users`` MovieLens users with ratings, valid for
BENCH_TOKEN_HOURS (default 6): logging 300 users in through Argon2 would measure the hasher.

    .venv/bin/python bench/loggedin/paths.py OUTDIR [--users 300] [--hot-users 40]

Scenarios (each alone, and "mix" by the issue's shares):

- reference: GET /health/live;
- detail: GET movies/{id}/ of 1,000 movies;
- recommendations: GET me/recommendations/?limit=20;
- popular: GET movies/popular/ (pages 1 to 3);
- like: POST or DELETE movies/{id}/like/ on random movies (half each, so a long run keeps
  changing rows instead of confirming likes already there);
- rating: PUT movies/{id}/rating/ with a random half-star value;
- favorites: GET me/favorites/;
- home: GET feed/home/ (issue 12: each user's own page);
- mix: 40 % detail, 20 % recommendations, 10 % each of popular, like, rating, favorites;
- hot: ``--hot-users`` users liking and unliking one movie (POST and DELETE of its like).

Every request of a logged-in scenario carries a token drawn at random from the users'.
"""

import argparse
import json
import os
import random
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.prod")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db.models import Exists, OuterRef  # noqa: E402

from apps.accounts.tokens import AccountRefreshToken  # noqa: E402
from apps.catalog.models import Movie  # noqa: E402
from apps.interactions.models import Interaction  # noqa: E402

MIX = {
    "detail": 40,
    "recommendations": 20,
    "popular": 10,
    "like": 10,
    "rating": 10,
    "favorites": 10,
}
HALF_STARS = [f"{step / 2:.1f}" for step in range(1, 11)]


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
    parser.add_argument("--users", type=int, default=300)
    parser.add_argument("--hot-users", type=int, default=40)
    parser.add_argument("--detail-ids", type=int, default=1000)
    args = parser.parse_args()
    rng = random.Random(15)
    args.outdir.mkdir(parents=True, exist_ok=True)

    movies = Movie.objects.filter(is_active=True)
    movie_ids = sorted(movies.values_list("pk", flat=True))
    if not movie_ids:
        raise SystemExit("bench: no movies; import ml-latest-small first")
    # The hot movie: the most rated one, as a new release everyone is liking would be.
    hot = movies.order_by("-rating_count", "pk").values_list("pk", flat=True).first()
    rated = get_user_model().objects.filter(
        Exists(Interaction.objects.filter(user_id=OuterRef("pk"))), is_active=True
    )
    user_ids = sorted(rated.values_list("pk", flat=True))
    if len(user_ids) < args.users:
        raise SystemExit(f"bench: {len(user_ids)} users with interactions, {args.users} wanted")
    chosen = rng.sample(user_ids, args.users)
    users = get_user_model().objects.filter(pk__in=chosen).only("pk", "token_version")
    hours = int(os.environ.get("BENCH_TOKEN_HOURS", "6"))
    tokens = tokens_for(users.order_by("pk"), hours)
    hot_tokens = tokens[: args.hot_users]
    ids = rng.sample(movie_ids, min(args.detail_ids, len(movie_ids)))

    def token() -> str:
        return rng.choice(tokens)

    def like_line() -> tuple:
        return (rng.choice(["POST", "DELETE"]), f"/api/v1/movies/{rng.choice(ids)}/like/", token())

    def rating_line() -> tuple:
        body = json.dumps({"rating": rng.choice(HALF_STARS)})
        return ("PUT", f"/api/v1/movies/{rng.choice(ids)}/rating/", token(), body)

    scenarios = {
        "reference": [("GET", "/health/live", "")],
        "detail": [("GET", f"/api/v1/movies/{pk}/", token()) for pk in ids],
        "recommendations": [("GET", "/api/v1/me/recommendations/?limit=20", t) for t in tokens],
        "popular": [
            ("GET", f"/api/v1/movies/popular/?page={page}", token())
            for page in (1, 1, 1, 2, 3)
            for _ in range(40)
        ],
        "like": [like_line() for _ in range(5000)],
        "rating": [rating_line() for _ in range(5000)],
        "favorites": [("GET", "/api/v1/me/favorites/", t) for t in tokens],
        "home": [("GET", "/api/v1/feed/home/", t) for t in tokens],
        "hot": [
            (method, f"/api/v1/movies/{hot}/like/", t)
            for t in hot_tokens
            for method in ("POST", "DELETE")
        ],
    }
    mix = []
    for name, share in MIX.items():
        mix.extend(rng.choices(scenarios[name], k=share * 100))
    rng.shuffle(mix)
    scenarios["mix"] = mix
    for name, lines in scenarios.items():
        text = "".join("\t".join(line) + "\n" for line in lines)
        (args.outdir / f"{name}.txt").write_text(text)
    print(
        f"bench: {len(movie_ids)} movies, {len(tokens)} users with tokens, hot movie {hot} "
        f"({len(hot_tokens)} users), in {args.outdir}"
    )


if __name__ == "__main__":
    main()
