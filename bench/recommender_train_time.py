"""Training time of the served engines on all of MovieLens latest-small.

Fits trending, content, collaborative and hybrid (what ``train_recommender`` trains) on every
rating, ``--repeat`` times, and prints wall and CPU seconds per engine and in total (minimum
and median over the repeats: the machine is shared, so the minimum is the least disturbed).

    .venv/bin/python bench/recommender_train_time.py [DIR] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "directory", nargs="?", default=str(ROOT.parent / "shared/datasets/ml-latest-small")
    )
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from apps.recommendations.engines import ENGINE_NAMES, build_engine
    from apps.recommendations.evaluation.movielens import movielens_load, training_data

    started = time.perf_counter()
    movielens = movielens_load(args.directory)
    data = training_data(movielens, movielens.ratings)
    print(
        f"{data.n_users} users, {data.n_items} movies, {data.users.size} ratings, "
        f"{data.item_features.shape[1]} features; loaded in {time.perf_counter() - started:.1f}s"
    )
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in ENGINE_NAMES}
    for _ in range(args.repeat):
        for name in ENGINE_NAMES:
            engine = build_engine(name)
            wall, cpu = time.perf_counter(), time.process_time()
            engine.fit(data)
            runs[name].append((time.perf_counter() - wall, time.process_time() - cpu))
    print(f"{'engine':<15}{'wall min s':>12}{'wall median s':>15}{'CPU min s':>11}")
    for name, timings in runs.items():
        walls = [w for w, _ in timings]
        print(
            f"{name:<15}{min(walls):>12.2f}{statistics.median(walls):>15.2f}"
            f"{min(c for _, c in timings):>11.2f}"
        )
    totals = [sum(runs[n][i][0] for n in ENGINE_NAMES) for i in range(args.repeat)]
    print(f"{'all four':<15}{min(totals):>12.2f}{statistics.median(totals):>15.2f}")
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} (2 cores)")


if __name__ == "__main__":
    main()
