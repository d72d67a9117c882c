"""Non-personal engines: trending (time-decayed counts) and plain popularity."""

from __future__ import annotations

import numpy as np

from .base import Engine, History, TrainingData, unit_scale
from .common import DAY

WINDOW_HALF_LIFE_DAYS = {"day": 1.0, "week": 7.0}


class TrendingEngine(Engine):
    """Positive interactions counted with exponential time decay.

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
        positive = data.weights > 0
        now = data.now if data.now is not None else int(data.timestamps.max(initial=0))
        age_days = np.maximum(now - data.timestamps[positive], 0) / DAY
        decay = np.power(0.5, age_days / self.half_life_days)
        counts = np.bincount(data.items[positive], weights=decay, minlength=data.n_items)
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
