"""Non-personal engines: trending (time-decayed counts) and plain popularity."""

from __future__ import annotations

import numpy as np

from apps.interactions.trending import TRENDING_HALF_LIFE_DAYS, trending_scores

from .base import Engine, History, TrainingData, unit_scale

WINDOW_HALF_LIFE_DAYS = TRENDING_HALF_LIFE_DAYS


class TrendingEngine(Engine):
    """Trending (apps.interactions.trending, the one formula) over the training events.

    The events it counts are those weighing above zero, which are exactly the interactions that
    are not negative (apps.interactions.rules; a test holds the two together), plus positive
    recommendation feedback and clicks, which the training data adds as likes and views.
    ``window`` "day" or "week" sets the half-life (1 or 7 days before ``data.now``);
    ``half_life_days`` overrides it. Events in the future of ``now`` count as now.
    """

    name = "trending"

    def __init__(self, window: str = "week", half_life_days: float | None = None):
        if half_life_days is None:
            if window not in WINDOW_HALF_LIFE_DAYS:
                raise ValueError(f"window must be one of {sorted(WINDOW_HALF_LIFE_DAYS)}")
            half_life_days = WINDOW_HALF_LIFE_DAYS[window]
        if half_life_days <= 0:
            raise ValueError("half_life_days must be positive")
        self.window = window
        self.half_life_days = float(half_life_days)
        self.item_scores = np.zeros(0, dtype=np.float32)

    def fit(self, data: TrainingData) -> TrendingEngine:
        counted = data.weights > 0
        now = data.now if data.now is not None else int(data.timestamps.max(initial=0))
        counts = trending_scores(
            items=data.items[counted],
            timestamps=data.timestamps[counted],
            n_items=data.n_items,
            now=now,
            half_life_days=self.half_life_days,
        )
        self.item_scores = counts.astype(np.float32)
        return self

    def score(self, history: History) -> np.ndarray:
        return unit_scale(self.item_scores)

    def state(self) -> tuple[dict, dict[str, np.ndarray]]:
        meta = {"window": self.window, "half_life_days": self.half_life_days}
        return meta, {"item_scores": self.item_scores}

    @classmethod
    def from_state(cls, meta: dict, arrays: dict[str, np.ndarray]) -> TrendingEngine:
        engine = cls(window=meta["window"], half_life_days=meta["half_life_days"])
        engine.item_scores = arrays["item_scores"].astype(np.float32)
        return engine


class PopularityEngine(Engine):
    """How many users interacted positively with each item: the classic baseline."""

    name = "popularity"

    def __init__(self):
        self.item_scores = np.zeros(0, dtype=np.float32)

    def fit(self, data: TrainingData) -> PopularityEngine:
        matrix = data.matrix(positive_only=True)
        self.item_scores = np.diff(matrix.tocsc().indptr).astype(np.float32)
        return self

    def score(self, history: History) -> np.ndarray:
        return unit_scale(self.item_scores)

    def state(self) -> tuple[dict, dict[str, np.ndarray]]:
        return {}, {"item_scores": self.item_scores}

    @classmethod
    def from_state(cls, meta: dict, arrays: dict[str, np.ndarray]) -> PopularityEngine:
        engine = cls()
        engine.item_scores = arrays["item_scores"].astype(np.float32)
        return engine
