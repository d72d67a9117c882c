"""The whole offline protocol: split, tune on validation, refit on training, score the test."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from apps.recommendations.engines import ENGINE_NAMES, build_engine
from apps.recommendations.engines.base import Engine

from .movielens import movielens_load, training_data
from .runner import METRIC_COLUMNS, evaluate_scorer, evaluation_set
from .split import temporal_split
from .tuning import Tuned, tune_all

FULL_CATALOGUE = 10**9  # EASE baseline: no head restriction at test time

# Rows of the table: label, registry name, how to get its parameters from the tuning.
ROWS = (
    ("popularity (baseline)", "popularity", lambda t: {}),
    ("item-kNN cosine (baseline)", "item_knn", lambda t: t.params["item_knn"]),
    ("EASE (baseline)", "ease", lambda t: {**t.params["ease"], "max_items": FULL_CATALOGUE}),
    ("trending (week)", "trending", lambda t: {"window": "week"}),
    ("content", "content", lambda t: t.params["content"]),
    ("collaborative", "collaborative", lambda t: t.params["collaborative"]),
    ("sequential (hybrid part)", "sequential", lambda t: t.params["sequential"]),
    ("hybrid", "hybrid", lambda t: t.params["hybrid"]),
)


@dataclass
class Report:
    rows: list[tuple[str, dict[str, float], float]] = field(default_factory=list)
    tuned: Tuned | None = None
    users_validation: int = 0
    users_test: int = 0
    full_training_seconds: dict[str, float] = field(default_factory=dict)
    full_training_cpu_seconds: dict[str, float] = field(default_factory=dict)

    def metric(self, label: str, column: str = "ndcg@10") -> float:
        return next(metrics[column] for name, metrics, _ in self.rows if name == label)

    def table(self) -> str:
        header = f"{'engine':<28}" + "".join(f"{c:>13}" for c in METRIC_COLUMNS) + f"{'fit s':>9}"
        lines = [header, "-" * len(header)]
        for label, metrics, seconds in self.rows:
            values = "".join(f"{metrics[c]:>13.4f}" for c in METRIC_COLUMNS)
            lines.append(f"{label:<28}{values}{seconds:>9.1f}")
        return "\n".join(lines)

    def checks(self) -> list[tuple[str, bool]]:
        hybrid = self.metric("hybrid")
        popularity = self.metric("popularity (baseline)")
        return [
            (
                f"hybrid ndcg@10 {hybrid:.4f} >= 1.5 x popularity {popularity:.4f}"
                f" (ratio {hybrid / max(popularity, 1e-12):.2f})",
                hybrid >= 1.5 * popularity,
            ),
            (
                f"hybrid ndcg@10 {hybrid:.4f} >= item-kNN "
                f"{self.metric('item-kNN cosine (baseline)'):.4f}",
                hybrid >= self.metric("item-kNN cosine (baseline)"),
            ),
            (
                f"hybrid ndcg@10 {hybrid:.4f} >= EASE {self.metric('EASE (baseline)'):.4f}",
                hybrid >= self.metric("EASE (baseline)"),
            ),
        ]


def _timed_fit(engine: Engine, data) -> float:
    started = time.perf_counter()
    engine.fit(data)
    return time.perf_counter() - started


def _timed_fit_with_cpu(engine: Engine, data) -> tuple[float, float]:
    """Wall and CPU seconds (CPU summed over BLAS threads: shows how busy the machine is)."""
    cpu_started = time.process_time()
    wall = _timed_fit(engine, data)
    return wall, time.process_time() - cpu_started


def run_evaluation(directory: str | Path, *, fraction: float = 0.2, log=print) -> Report:
    report = Report()
    movielens = movielens_load(directory)
    outer = temporal_split(movielens.ratings, fraction)
    inner = temporal_split(outer.train, fraction)
    # Validation users without an inner cutoff still must not see test-period tags.
    inner.cutoffs = {**outer.cutoffs, **inner.cutoffs}
    validation = evaluation_set(movielens, inner)
    report.users_validation = len(validation.histories)
    log(f"validation: {len(inner.train)} training ratings, {report.users_validation} users")
    report.tuned = tune_all(validation, log)

    test = evaluation_set(movielens, outer)
    report.users_test = len(test.histories)
    log(f"test: {len(outer.train)} training ratings, {report.users_test} users")
    for label, name, params_of in ROWS:
        engine = build_engine(name, **params_of(report.tuned))
        seconds = _timed_fit(engine, test.data)
        report.rows.append((label, evaluate_scorer(engine.score, test), seconds))
        log(f"  {label}: {report.rows[-1][1]}")

    everything = training_data(movielens, movielens.ratings)
    for name in ENGINE_NAMES:
        params = {"window": "week"} if name == "trending" else report.tuned.params.get(name, {})
        wall, cpu = _timed_fit_with_cpu(build_engine(name, **params), everything)
        report.full_training_seconds[name] = wall
        report.full_training_cpu_seconds[name] = cpu
    return report
