"""Hyper-parameter search on a validation split (carved from the training part only).

Each engine is tuned on its own NDCG@10 over the validation users; the hybrid then reuses the
tuned components and searches its blend weights by coordinate ascent over standardised
component scores computed once. Nothing here ever sees the test part.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from apps.recommendations.engines import build_engine
from apps.recommendations.engines.base import History
from apps.recommendations.engines.common import standardize
from apps.recommendations.engines.hybrid import HybridEngine

from .runner import EvaluationSet, evaluate_scorer, metrics_of, top_items

EASE_L2 = (100.0, 250.0, 500.0, 1000.0)
RECENCY_HALF_LIVES = (None, 5.0, 10.0, 20.0, 50.0)
KNN_NEIGHBOURS = (20, 50, 100, 200)
SEQUENTIAL_GRID = {
    "window": (10, 30, 60),
    "step_decay": (0.9, 0.97),
    "half_life_events": (3.0, 10.0),
}
CONTENT_HALF_LIVES = (5.0, 20.0, None)
BLEND_STEPS = (0.0, 0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1.0, 1.5, 2.0)
TUNING_MAX_ITEMS = 3000  # EASE head size while tuning: measured as accurate as the full model


@dataclass
class Tuned:
    """Chosen parameters per engine, and the validation NDCG@10 of each trial."""

    params: dict[str, dict] = field(default_factory=dict)
    trials: list[tuple[str, dict, float]] = field(default_factory=list)

    def record(self, name: str, params: dict, ndcg: float) -> None:
        self.trials.append((name, params, ndcg))


def _ndcg(score: Callable[[History], np.ndarray], evaluation: EvaluationSet) -> float:
    return evaluate_scorer(score, evaluation)["ndcg@10"]


def _best(tuned: Tuned, name: str, candidates, evaluate: Callable[[dict], float]) -> dict:
    best_params, best_value = None, -1.0
    for params in candidates:
        value = evaluate(params)
        tuned.record(name, params, value)
        if value > best_value:
            best_params, best_value = params, value
    tuned.params[name] = best_params
    return best_params


def tune_ease(tuned: Tuned, evaluation: EvaluationSet, log) -> None:
    """Lambda for the EASE baseline, then the recency half-life for the collaborative engine."""
    fitted = {}

    def by_l2(params: dict) -> float:
        engine = build_engine(
            "ease", l2=params["l2"], max_items=TUNING_MAX_ITEMS, half_life_events=None
        )
        fitted[params["l2"]] = engine.fit(evaluation.data)
        value = _ndcg(engine.raw_score, evaluation)
        log(f"  ease l2={params['l2']:g}: ndcg@10 {value:.4f}")
        return value

    best = _best(tuned, "ease", [{"l2": l2} for l2 in EASE_L2], by_l2)
    tuned.params["ease"] = {**best, "half_life_events": None}
    engine = fitted[best["l2"]]

    def by_half_life(params: dict) -> float:
        engine.half_life_events = params["half_life_events"]
        value = _ndcg(engine.raw_score, evaluation)
        log(f"  collaborative half_life_events={params['half_life_events']}: ndcg@10 {value:.4f}")
        return value

    candidates = [{"half_life_events": h} for h in RECENCY_HALF_LIVES]
    chosen = _best(tuned, "collaborative", candidates, by_half_life)
    tuned.params["collaborative"] = {"l2": best["l2"], "max_items": TUNING_MAX_ITEMS, **chosen}


def tune_simple(tuned: Tuned, evaluation: EvaluationSet, name: str, grid: dict, log) -> None:
    keys = list(grid)

    def trial(params: dict) -> float:
        engine = build_engine(name, **params).fit(evaluation.data)
        value = _ndcg(engine.raw_score, evaluation)
        log(f"  {name} {params}: ndcg@10 {value:.4f}")
        return value

    candidates = [
        dict(zip(keys, values, strict=True)) for values in itertools.product(*grid.values())
    ]
    _best(tuned, name, candidates, trial)


def tune_blend(tuned: Tuned, evaluation: EvaluationSet, log) -> None:
    """Coordinate ascent over the hybrid weights, collaborative fixed at 1."""
    hybrid = HybridEngine(
        collaborative=tuned.params["collaborative"],
        sequential=tuned.params["sequential"],
        content=tuned.params["content"],
    )
    hybrid.fit(evaluation.data)
    names = ("collaborative", "sequential", "content", "popularity")
    parts = {
        name: np.stack(
            [standardize(hybrid.component_scores(name, h)) for h in evaluation.histories]
        ).astype(np.float32)
        for name in names
    }

    def value_of(weights: dict[str, float]) -> float:
        blended = sum(weights[name] * parts[name] for name in names if weights[name])
        ranked = [
            top_items(row, h.items) for row, h in zip(blended, evaluation.histories, strict=True)
        ]
        return metrics_of(ranked, evaluation)["ndcg@10"]

    weights = {"collaborative": 1.0, "sequential": 1.0, "content": 0.1, "popularity": 0.1}
    best_value = value_of(weights)
    for _ in range(2):
        for name in names[1:]:
            for step in BLEND_STEPS:
                trial = {**weights, name: step}
                value = value_of(trial)
                tuned.record("hybrid", {"weights": trial}, value)
                if value > best_value + 1e-6:
                    weights, best_value = trial, value
        log(f"  hybrid weights {weights}: ndcg@10 {best_value:.4f}")
    tuned.params["hybrid"] = {
        "weights": weights,
        "collaborative": tuned.params["collaborative"],
        "sequential": tuned.params["sequential"],
        "content": tuned.params["content"],
    }


def tune_all(evaluation: EvaluationSet, log=print) -> Tuned:
    tuned = Tuned()
    log("tuning ease and collaborative")
    tune_ease(tuned, evaluation, log)
    log("tuning item_knn")
    tune_simple(tuned, evaluation, "item_knn", {"neighbours": KNN_NEIGHBOURS}, log)
    log("tuning sequential")
    tune_simple(tuned, evaluation, "sequential", SEQUENTIAL_GRID, log)
    log("tuning content")
    tune_simple(tuned, evaluation, "content", {"half_life_events": CONTENT_HALF_LIVES}, log)
    log("tuning hybrid blend")
    tune_blend(tuned, evaluation, log)
    return tuned
