"""Engine registry: names served to users, and the extra engines used as offline baselines."""

from __future__ import annotations

from .base import Engine, History, TrainingData
from .collaborative import EaseEngine, ItemKnnEngine, Rp3Engine
from .content import ContentEngine
from .hybrid import HybridEngine
from .sequential import TransitionEngine
from .trending import PopularityEngine, TrendingEngine

# Engines trained and served (``me/recommendations?engine=``).
ENGINE_NAMES = ("trending", "content", "collaborative", "hybrid")

ENGINE_CLASSES: dict[str, type[Engine]] = {
    "trending": TrendingEngine,
    "content": ContentEngine,
    "collaborative": EaseEngine,
    "hybrid": HybridEngine,
    # Offline baselines and hybrid components, not served on their own.
    "popularity": PopularityEngine,
    "ease": EaseEngine,
    "item_knn": ItemKnnEngine,
    "sequential": TransitionEngine,
    "rp3beta": Rp3Engine,
}


def build_engine(name: str, **params) -> Engine:
    """A new, unfitted engine; ``params`` go to its constructor. Unknown names raise ValueError."""
    try:
        cls = ENGINE_CLASSES[name]
    except KeyError:
        raise ValueError(f"unknown engine {name!r}; known: {sorted(ENGINE_CLASSES)}") from None
    return cls(**params)


__all__ = ["ENGINE_CLASSES", "ENGINE_NAMES", "Engine", "History", "TrainingData", "build_engine"]
