"""Serving speed of recommendations: warm reads of me/recommendations and one user's fold-in.

Run from the project root (the figures in docs/recommendations.md came from this):

    .venv/bin/python bench/recommendations_serving.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/nexus_recserve \
        REDIS_URL=redis://127.0.0.1:6379/6 .venv/bin/python bench/recommendations_serving.py

Steps: migrate the database named by DATABASE_URL (default: a fresh SQLite file in a temporary
VAR_DIR); import ../shared/datasets/ml-latest-small with import_movielens when the catalog is
empty (or generate a synthetic catalog and interactions if the dataset is missing); train with
train_recommender; then, in-process through Django's test client with real JWT tokens:

- warm: GET me/recommendations/ for users whose answer is cached (the 2 h cache);
- stored: the same with the user's cache dropped, so the stored rows are read and rendered;
- fold-in: recommendations_refresh for one user (load their events, score with the four
  active engines, explain, replace the stored rows), and the scoring part alone;
- freshness: PUT a rating through the API, then GET: the new answer, end to end (eager mode).

Prints median and p95 in milliseconds for each, and a JSON line with everything.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _configure() -> Path:
    var_dir = Path(os.environ.get("VAR_DIR") or tempfile.mkdtemp(prefix="recserve-bench-"))
    os.environ["VAR_DIR"] = str(var_dir)
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{var_dir / 'bench.sqlite3'}")
    # Test settings: eager tasks (the refresh runs inline), throttles out of the way.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    return var_dir


def _percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "n": len(ordered),
        "median_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(p95 * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
    }


def _synthetic(users: int, movies: int, per_user: int) -> None:
    """A small catalog with genre-clustered tastes, for machines without the dataset."""
    from django.utils import timezone

    from apps.accounts.models import User
    from apps.catalog.models import Genre, Movie, MovieGenre
    from apps.interactions.models import Interaction

    rng = random.Random(7)
    genres = [Genre.objects.create(name=f"Genre {i}", slug=f"genre-{i}") for i in range(12)]
    created = Movie.objects.bulk_create(Movie(title=f"Movie {i}") for i in range(movies))
    MovieGenre.objects.bulk_create(
        MovieGenre(movie=movie, genre=genres[i % len(genres)]) for i, movie in enumerate(created)
    )
    now = timezone.now()
    for u in range(users):
        user = User.objects.create(username=f"bench_{u}", email=f"bench_{u}@example.com")
        taste = rng.randrange(len(genres))
        liked = [m for i, m in enumerate(created) if i % len(genres) == taste]
        picks = rng.sample(liked, min(per_user, len(liked)))
        Interaction.objects.bulk_create(
            Interaction(
                user=user,
                movie=movie,
                interaction_type="rating",
                rating=rng.choice([3.5, 4, 4.5, 5]),
                timestamp=now - timezone.timedelta(days=rng.randrange(300)),
            )
            for movie in picks
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=60, help="users measured")
    parser.add_argument("--calls", type=int, default=20, help="warm GETs per user")
    parser.add_argument("--dataset", default=None, help="MovieLens directory")
    parser.add_argument("--skip-train", action="store_true", help="reuse active models")
    args = parser.parse_args()

    var_dir = _configure()
    from django.conf import settings
    from django.core.management import call_command
    from rest_framework.test import APIClient
    from rest_framework_simplejwt.tokens import RefreshToken

    from apps.accounts.models import User
    from apps.catalog.models import Movie
    from apps.core.cache import namespace_invalidate
    from apps.interactions.models import Interaction
    from apps.recommendations import scoring, selectors, services, training
    from apps.recommendations.engines import ENGINE_NAMES
    from apps.recommendations.registry import engine_get

    print(
        f"database: {settings.DATABASES['default']['ENGINE']}, cache: "
        f"{settings.CACHES['default']['BACKEND']}, VAR_DIR {var_dir}",
        flush=True,
    )
    call_command("migrate_all", interactive=False, verbosity=0)
    figures: dict = {"database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]}

    if not Movie.objects.exists():
        dataset = Path(args.dataset or Path(settings.SHARED_DIR) / "datasets/ml-latest-small")
        started = time.perf_counter()
        if (dataset / "ratings.csv").is_file():
            call_command("import_movielens", str(dataset), verbosity=0)
            figures["data"] = f"MovieLens {dataset.name}"
        else:
            _synthetic(users=600, movies=6000, per_user=60)
            figures["data"] = "synthetic: 600 users, 6000 movies, 60 ratings each"
        figures["import_seconds"] = round(time.perf_counter() - started, 1)
    figures["interactions"] = Interaction.objects.count()
    figures["movies"] = Movie.objects.count()

    if not args.skip_train:
        started = time.perf_counter()
        call_command("train_recommender", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
        figures["train_recommender_seconds"] = round(time.perf_counter() - started, 1)
    for name in ENGINE_NAMES:
        engine_get(name)  # loaded once per process, as a server worker would

    rng = random.Random(11)
    user_ids = training.users_with_signals()
    chosen = rng.sample(user_ids, min(args.users, len(user_ids)))
    users = {user.id: user for user in User.objects.filter(id__in=chosen)}

    # Fold-in: scoring alone, then the whole refresh (events, scoring, reasons, stored rows).
    # CPU time of this process beside wall time: on a shared machine the wall time also
    # counts waiting for a core and for the database server.
    compute, refresh, refresh_cpu = [], [], []
    for user_id in chosen:
        events = training.user_events_load(user_ids=[user_id])[user_id]
        genres = selectors.favorite_genres(user_id=user_id)
        started = time.perf_counter()
        scoring.user_lists_compute(events=events, favorite_genres=genres)
        compute.append(time.perf_counter() - started)
        started, cpu = time.perf_counter(), time.process_time()
        services.recommendations_refresh(user_id=user_id)
        refresh.append(time.perf_counter() - started)
        refresh_cpu.append(time.process_time() - cpu)
    figures["fold_in_scoring"] = _percentiles(compute)
    figures["fold_in_refresh"] = _percentiles(refresh)
    figures["fold_in_refresh_cpu"] = _percentiles(refresh_cpu)

    clients = {}
    for user_id in chosen:
        client = APIClient()
        token = RefreshToken.for_user(users[user_id]).access_token
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        clients[user_id] = client
    url = "/api/v1/me/recommendations/"

    stored, warm, warm_cpu = [], [], []
    for user_id, client in clients.items():
        namespace_invalidate(services.user_namespace(user_id))
        started = time.perf_counter()
        response = client.get(url)
        stored.append(time.perf_counter() - started)
        assert response.status_code == 200, response.content
        for _ in range(args.calls):
            started, cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            warm.append(time.perf_counter() - started)
            warm_cpu.append(time.process_time() - cpu)
            assert response.status_code == 200
    figures["get_stored_rows"] = _percentiles(stored)
    figures["get_warm"] = _percentiles(warm)
    figures["get_warm_cpu"] = _percentiles(warm_cpu)

    # Freshness: a new rating through the API, then the next answer.
    fresh, changed = [], 0
    for client in list(clients.values())[:20]:
        before = [item["movie"]["id"] for item in client.get(url).json()["data"]]
        target = before[0]
        started = time.perf_counter()
        response = client.put(f"/api/v1/movies/{target}/rating/", {"rating": 5}, format="json")
        assert response.status_code in (200, 201), response.content
        after = [item["movie"]["id"] for item in client.get(url).json()["data"]]
        fresh.append(time.perf_counter() - started)
        changed += after != before and target not in after
    figures["rate_then_get"] = _percentiles(fresh)
    figures["rate_then_get_changed"] = f"{changed} of {len(fresh)}"

    print(
        f"data: {figures.get('data', 'existing database')}; {figures['interactions']} "
        f"interactions, {figures['movies']} movies"
    )
    if "train_recommender_seconds" in figures:
        print(
            f"train_recommender (4 engines + refresh of every user): "
            f"{figures['train_recommender_seconds']} s"
        )
    for key, label in [
        ("get_warm", "GET me/recommendations/, warm (cached)"),
        ("get_warm_cpu", "  the same, CPU time of this process"),
        ("get_stored_rows", "GET me/recommendations/, cache dropped (stored rows)"),
        ("fold_in_scoring", "fold-in scoring, 4 engines + reasons"),
        ("fold_in_refresh", "fold-in refresh (events, scoring, rows stored)"),
        ("fold_in_refresh_cpu", "  the same, CPU time of this process"),
        ("rate_then_get", "PUT rating, then GET (refresh inline)"),
    ]:
        stats = figures[key]
        print(
            f"{label:55s} median {stats['median_ms']:8.2f} ms   p95 {stats['p95_ms']:8.2f} ms"
            f"   (n={stats['n']})"
        )
    print(f"answers changed after the rating: {figures['rate_then_get_changed']}")
    figures["load_average"] = [round(value, 2) for value in os.getloadavg()]
    print(f"load average at the end (1, 5, 15 min): {figures['load_average']}")
    print(json.dumps(figures, sort_keys=True))


if __name__ == "__main__":
    main()
