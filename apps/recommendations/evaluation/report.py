"""The whole offline protocol: split, tune on validation, refit on training, score the test."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from apps.recommendations.engines import ENGINE_NAMES, build_engine
from apps.recommendations.engines.base import Engine
from apps.recommendations.engines.threads import blas_threads_pinned

from .movielens import movielens_load, training_data
from .runner import METRIC_COLUMNS, evaluation_set, metrics_of, ndcg_per_user, rankings
from .split import temporal_split
from .tuning import Tuned, tune_all

FULL_CATALOGUE = 10**9  # EASE baseline: no head restriction at test time
TARGET_OVER_EASE = 1.15  # the hybrid's NDCG@10 must reach this multiple of EASE's
BOOTSTRAP_SAMPLES = 2000
BOOTSTRAP_SEED = 20241201  # fixed: the intervals are the same on every run

# Rows of the table: label, registry name, how to get its parameters from the tuning.
ROWS = (
    ("popularity (baseline)", "popularity", lambda t: {}),
    ("item-kNN cosine (baseline)", "item_knn", lambda t: t.params["item_knn"]),
    ("EASE (baseline)", "ease", lambda t: {**t.params["ease"], "max_items": FULL_CATALOGUE}),
    ("trending (week)", "trending", lambda t: {"window": "week"}),
    ("content", "content", lambda t: t.params["content"]),
    ("collaborative", "collaborative", lambda t: t.params["collaborative"]),
    ("sequential (hybrid part)", "sequential", lambda t: t.params["sequential"]),
    ("RP3beta (hybrid part)", "rp3beta", lambda t: t.params["rp3beta"]),
    (
        "recent-trained EASE (part)",
        "ease",
        lambda t: t.params["hybrid"]["collaborative_recent"],
    ),
    ("hybrid", "hybrid", lambda t: t.params["hybrid"]),
)


def paired_interval(
    numerator: np.ndarray, denominator: np.ndarray, samples: int = BOOTSTRAP_SAMPLES
) -> tuple[float, float, float]:
    """Ratio of the means of two per-user metrics, and its 95 % paired bootstrap interval.

    Users are resampled with replacement and both engines are read on the same sample, so
    the interval reflects how the two differ user by user, not how much users differ.
    """
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    picks = rng.integers(0, numerator.size, size=(samples, numerator.size))
    ratios = numerator[picks].mean(axis=1) / np.maximum(denominator[picks].mean(axis=1), 1e-12)
    low, high = np.percentile(ratios, [2.5, 97.5])
    return float(numerator.mean() / max(denominator.mean(), 1e-12)), float(low), float(high)


def mean_interval(values: np.ndarray) -> float:
    """Half width of the normal 95 % interval of a mean over users."""
    return float(1.96 * values.std(ddof=1) / np.sqrt(values.size)) if values.size > 1 else 0.0


@dataclass
class Report:
    rows: list[tuple[str, dict[str, float], float]] = field(default_factory=list)
    per_user: dict[str, np.ndarray] = field(default_factory=dict)
    tuned: Tuned | None = None
    users_validation: int = 0
    users_test: int = 0
    full_training_seconds: dict[str, float] = field(default_factory=dict)
    full_training_cpu_seconds: dict[str, float] = field(default_factory=dict)

    def metric(self, label: str, column: str = "ndcg@10") -> float:
        return next(metrics[column] for name, metrics, _ in self.rows if name == label)

    def table(self) -> str:
        header = (
            f"{'engine':<28}"
            + "".join(f"{c:>13}" for c in METRIC_COLUMNS)
            + f"{'ndcg 95% +-':>13}{'vs EASE':>9}{'fit s':>9}"
        )
        lines = [header, "-" * len(header)]
        ease = self.metric("EASE (baseline)")
        for label, metrics, seconds in self.rows:
            values = "".join(f"{metrics[c]:>13.4f}" for c in METRIC_COLUMNS)
            spread = mean_interval(self.per_user[label])
            ratio = metrics["ndcg@10"] / max(ease, 1e-12)
            lines.append(f"{label:<28}{values}{spread:>13.4f}{ratio:>9.3f}{seconds:>9.1f}")
        return "\n".join(lines)

    def ratio_to_ease(self, label: str = "hybrid") -> tuple[float, float, float]:
        """NDCG@10 of ``label`` over EASE's, with its paired 95 % interval."""
        return paired_interval(self.per_user[label], self.per_user["EASE (baseline)"])

    def checks(self) -> list[tuple[str, bool]]:
        hybrid = self.metric("hybrid")
        popularity = self.metric("popularity (baseline)")
        ratio, low, high = self.ratio_to_ease()
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
                f"hybrid ndcg@10 {hybrid:.4f} >= {TARGET_OVER_EASE} x EASE "
                f"{self.metric('EASE (baseline)'):.4f} (ratio {ratio:.3f}, paired 95% "
                f"interval {low:.3f} to {high:.3f})",
                hybrid >= TARGET_OVER_EASE * self.metric("EASE (baseline)"),
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
    """The whole protocol with BLAS held to one thread (same numbers, steadier times)."""
    with blas_threads_pinned():
        return _run_evaluation(directory, fraction=fraction, log=log)


def _run_evaluation(directory: str | Path, *, fraction: float, log) -> Report:
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
        ranked = rankings(engine.score, test)
        report.rows.append((label, metrics_of(ranked, test), seconds))
        report.per_user[label] = ndcg_per_user(ranked, test)
        log(f"  {label}: {report.rows[-1][1]}")

    everything = training_data(movielens, movielens.ratings)
    for name in ENGINE_NAMES:
        params = {"window": "week"} if name == "trending" else report.tuned.params.get(name, {})
        wall, cpu = _timed_fit_with_cpu(build_engine(name, **params), everything)
        report.full_training_seconds[name] = wall
        report.full_training_cpu_seconds[name] = cpu
    return report
