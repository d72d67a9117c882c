"""Training cost of the recommender engines as the interaction set grows.

Synthetic data shaped like the seed's one-year estimate (100,000 users, 50,000 movies,
10,000,000 interactions): long-tailed movie popularity (Zipf-like), long-tailed user activity
(log-normal), timestamps over one year, a realistic mix of interaction types weighted by
``interaction_weight``, and genre and keyword features. Each size runs in its own process so
its peak resident memory is its own. For each engine it reports the fit time and the peak of
memory allocated during the fit (tracemalloc, which sees numpy and scipy buffers), and the
median time of one user's ``score`` call (fold-in: scoring a history without retraining).

Sizes run smallest first and stop when the next one is projected to pass ``--budget`` seconds.

    .venv/bin/python bench/recommender_scale.py [--budget 420] [--fractions 1/16,1/8,1/4,1/2,1]

With ``--database URL`` (an empty PostgreSQL database) it instead writes the last size of
``--fractions`` into that database and runs ``train_recommender`` end to end on it: wall
time, peak resident memory of that process, and the size of the stored recommendations with
their indexes (bench/recommender_scale_db.py).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from fractions import Fraction
from pathlib import Path

import django
import numpy as np
from scipy import sparse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

FULL = {"users": 100_000, "items": 50_000, "interactions": 10_000_000}
ENGINES = ("trending", "content", "collaborative", "sequential", "hybrid")
YEAR = 365 * 86400
NOW = 1_760_000_000
TYPES = ("view", "rating", "watchlist", "like", "favorite", "dislike")
TYPE_SHARES = (0.55, 0.25, 0.08, 0.06, 0.04, 0.02)


def synthetic_data(fraction: float, seed: int = 20241201):
    from apps.recommendations.engines.base import TrainingData
    from apps.recommendations.engines.signals import interaction_weight, rating_weights

    rng = np.random.default_rng(seed)
    n_users = max(100, int(FULL["users"] * fraction))
    n_items = max(100, int(FULL["items"] * fraction))
    n_events = int(FULL["interactions"] * fraction)
    popularity = 1.0 / np.power(np.arange(1, n_items + 1) + 10.0, 1.1)
    popularity /= popularity.sum()
    activity = rng.lognormal(mean=0.0, sigma=1.2, size=n_users)
    activity /= activity.sum()
    users = rng.choice(n_users, size=n_events, p=activity).astype(np.int32)
    items = rng.choice(n_items, size=n_events, p=popularity).astype(np.int32)
    items = rng.permutation(n_items).astype(np.int32)[items]  # popular ids spread out
    kinds = rng.choice(len(TYPES), size=n_events, p=TYPE_SHARES)
    weights = np.array([interaction_weight(t, None) for t in TYPES], dtype=np.float32)[kinds]
    is_rating = kinds == TYPES.index("rating")
    ratings = rng.choice(np.arange(0.5, 5.01, 0.5), size=int(is_rating.sum()))
    weights[is_rating] = rating_weights(ratings)
    timestamps = NOW - rng.integers(0, YEAR, size=n_events, dtype=np.int64)
    # Features: 1 to 3 of 19 genres and 5 of 5,000 keywords per movie.
    genre_rows = np.repeat(np.arange(n_items), 3)
    genre_cols = rng.integers(0, 19, size=genre_rows.size)
    keyword_rows = np.repeat(np.arange(n_items), 5)
    keyword_cols = 19 + rng.integers(0, 5000, size=keyword_rows.size)
    features = sparse.csr_matrix(
        (
            np.ones(genre_rows.size + keyword_rows.size, dtype=np.float32),
            (
                np.concatenate([genre_rows, keyword_rows]),
                np.concatenate([genre_cols, keyword_cols]),
            ),
        ),
        shape=(n_items, 19 + 5000),
    )
    features.data[:] = 1.0
    names = [f"genre:{i}" for i in range(19)] + [f"keyword:{i}" for i in range(5000)]
    data = TrainingData(
        user_ids=np.arange(n_users, dtype=np.int64),
        item_ids=np.arange(n_items, dtype=np.int64),
        users=users,
        items=items,
        weights=weights,
        timestamps=timestamps,
        item_features=features,
        feature_names=names,
        now=NOW,
    )
    data.kinds, data.ratings = kinds, ratings  # what the database variant writes
    return data, rng


def user_histories(data, rng, count: int = 25):
    from apps.recommendations.engines.base import History

    active = np.bincount(data.users, minlength=data.n_users)
    chosen = rng.choice(np.flatnonzero(active >= 5), size=count, replace=False)
    histories = []
    for user in chosen:
        events = np.flatnonzero(data.users == user)
        histories.append(History(data.items[events], data.weights[events], data.timestamps[events]))
    return histories


def worker(fraction: float) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    django.setup()  # the engines import the interactions app's trending formula
    from apps.recommendations.engines import build_engine

    started = time.perf_counter()
    data, rng = synthetic_data(fraction)
    result = {
        "fraction": fraction,
        "users": data.n_users,
        "items": data.n_items,
        "interactions": int(data.users.size),
        "generate_s": time.perf_counter() - started,
        "engines": {},
    }
    histories = user_histories(data, rng)
    result["history_median_len"] = int(statistics.median(len(h.items) for h in histories))
    for name in ENGINES:
        engine = build_engine(name)
        tracemalloc.start()
        fit_started, cpu_started = time.perf_counter(), time.process_time()
        engine.fit(data)
        fit_seconds = time.perf_counter() - fit_started
        fit_cpu_seconds = time.process_time() - cpu_started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        timings = []
        for history in histories:
            score_started = time.perf_counter()
            engine.score(history)
            timings.append(time.perf_counter() - score_started)
        result["engines"][name] = {
            "fit_s": fit_seconds,
            "fit_cpu_s": fit_cpu_seconds,
            "fit_peak_mb": peak / 2**20,
            "score_ms_median": 1000 * statistics.median(timings),
            "score_ms_max": 1000 * max(timings),
        }
        del engine
    result["load_average"] = os.getloadavg()[0]
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result["total_s"] = time.perf_counter() - started
    return result


def print_table(results: list[dict]) -> None:
    print()
    print("size                                 users    items  interactions  peak RSS MB  load")
    for r in results:
        label = f"{Fraction(r['fraction']).limit_denominator(64)} of the one-year estimate"
        print(
            f"{label:<33}{r['users']:>9}{r['items']:>9}{r['interactions']:>14,}"
            f"{r['peak_rss_mb']:>13.0f}{r['load_average']:>6.1f}"
        )
    print()
    print(
        f"{'engine':<15}{'interactions':>14}{'fit s':>9}{'fit CPU s':>11}{'fit peak MB':>13}"
        f"{'score ms p50':>14}{'score ms max':>14}"
    )
    for name in ENGINES:
        for r in results:
            e = r["engines"][name]
            print(
                f"{name:<15}{r['interactions']:>14,}{e['fit_s']:>9.2f}{e['fit_cpu_s']:>11.2f}"
                f"{e['fit_peak_mb']:>13.0f}"
                f"{e['score_ms_median']:>14.2f}{e['score_ms_max']:>14.2f}"
            )
    if len(results) >= 2:
        print()
        print("growth between consecutive sizes (x interactions -> x fit CPU time, x fit memory):")
        for previous, current in itertools.pairwise(results):
            ratio = current["interactions"] / previous["interactions"]
            parts = []
            for name in ENGINES:
                a, b = previous["engines"][name], current["engines"][name]
                parts.append(
                    f"{name} x{b['fit_cpu_s'] / max(a['fit_cpu_s'], 1e-9):.1f} CPU time,"
                    f" x{b['fit_peak_mb'] / max(a['fit_peak_mb'], 1e-9):.1f} mem"
                )
            print(f"  x{ratio:.0f} data: " + "; ".join(parts))


def database_worker(
    fraction: float, url: str, *, load: bool = True, train: bool = True, code: str | None = None
) -> dict:
    """Load the synthetic year into ``url`` (an empty database) and run train_recommender.

    ``load=False`` trains on a database an earlier ``train=False`` run loaded: the stored
    recommendations are emptied first, so every run starts from the same state.
    """
    import time as clock

    from bench.recommender_scale_db import database_load, recommendations_clear, train_measure

    result: dict = {"fraction": fraction}
    if load:
        data, _ = synthetic_data(fraction)
        result.update(users=data.n_users, items=data.n_items)
        result.update(database_load(url, data, data.kinds, data.ratings, int(clock.time())))
    if train:
        if not load:
            recommendations_clear(url)
        result["load_average_before"] = os.getloadavg()[0]
        result.update(train_measure(url, Path(code)) if code else train_measure(url))
        result["code"] = code or "this checkout"
        result["load_average_after"] = os.getloadavg()[0]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fractions", default="1/16,1/8,1/4,1/2,1")
    parser.add_argument("--budget", type=float, default=420.0, help="seconds for all sizes")
    parser.add_argument("--worker", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument(
        "--database",
        help="an empty PostgreSQL database: load the largest --fractions size into it and "
        "time train_recommender end to end (fit and refresh), its peak memory and the size "
        "of the stored recommendations",
    )
    parser.add_argument(
        "--load-only", action="store_true", help="with --database: load the data, do not train"
    )
    parser.add_argument(
        "--train-only",
        action="store_true",
        help="with --database: train on data a --load-only run wrote (stored lists emptied)",
    )
    parser.add_argument(
        "--code",
        help="with --database: the checkout (a git worktree of another commit) whose "
        "manage.py train_recommender runs; by default this one",
    )
    args = parser.parse_args()
    if args.database:
        fraction = float(Fraction(args.fractions.split(",")[-1]))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
        django.setup()  # the engines import the interactions app's trending formula
        result = database_worker(
            fraction,
            args.database,
            load=not args.train_only,
            train=not args.load_only,
            code=args.code,
        )
        print(json.dumps(result, indent=2))
        if args.json:
            Path(args.json).write_text(json.dumps(result, indent=2))
        return
    if args.worker is not None:
        print(json.dumps(worker(args.worker)))
        return
    fractions = [float(Fraction(f)) for f in args.fractions.split(",")]
    results: list[dict] = []
    started = time.perf_counter()
    for fraction in fractions:
        spent = time.perf_counter() - started
        if results:
            growth = fraction / results[-1]["fraction"]
            projected = results[-1]["total_s"] * growth * 1.3
            if spent + projected > args.budget:
                print(
                    f"stopping before {fraction:g}: projected {projected:.0f}s would pass "
                    f"the {args.budget:.0f}s budget",
                    flush=True,
                )
                break
        print(f"running {fraction:g} of the one-year estimate...", flush=True)
        completed = subprocess.run(
            [sys.executable, __file__, "--worker", str(fraction)],
            capture_output=True,
            text=True,
            check=False,
            timeout=max(60.0, args.budget - spent),
        )
        if completed.returncode != 0:
            print(completed.stderr[-2000:], file=sys.stderr)
            break
        results.append(json.loads(completed.stdout.strip().splitlines()[-1]))
        print(f"  done in {results[-1]['total_s']:.0f}s", flush=True)
    print_table(results)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
