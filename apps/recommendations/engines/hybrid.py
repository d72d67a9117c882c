"""Hybrid engine: a weighted blend of standardised component scores, with a cold-start path.

Components: collaborative (EASE over a recency-weighted history), sequential (item-to-item
transitions from the latest positives), content (TF-IDF profile) and popularity (a prior).
Each component's raw scores are standardised per user (zero mean, unit deviation over the
catalogue) before blending, so the weights are comparable; the weights are tuned offline on a
validation split (see apps/recommendations/evaluation/tuning.py and docs/recommender-quality.md).

Cold start: a user with no history gets popularity; declared tastes (``History.features``, e.g.
favorite genres) lift every matching item above every other one, so the user sees the most
popular movies of those genres first.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .base import Engine, History, TrainingData, unit_scale
from .collaborative import EaseEngine
from .common import standardize
from .content import ContentEngine
from .sequential import TransitionEngine
from .trending import PopularityEngine, TrendingEngine

# Tuned on the MovieLens validation split (docs/recommender-quality.md); component defaults too.
DEFAULT_WEIGHTS = {"collaborative": 1.0, "sequential": 0.5, "content": 1.0, "popularity": 0.2}
COMPONENT_CLASSES = {
    "collaborative": EaseEngine,
    "sequential": TransitionEngine,
    "content": ContentEngine,
}
EXPLAIN_ORDER = ("collaborative", "sequential", "content")


def _same_parameters(engine: Engine, other: Engine) -> bool:
    parameters = getattr(engine, "parameters", None)
    return (
        type(engine) is type(other)
        and parameters is not None
        and parameters() == other.parameters()
    )


class HybridEngine(Engine):
    name = "hybrid"

    def __init__(
        self,
        weights: dict[str, float] | None = None,
        collaborative: dict | None = None,
        sequential: dict | None = None,
        content: dict | None = None,
        popularity_half_life_days: float | None = None,
    ):
        self.weights = {**DEFAULT_WEIGHTS, **(weights or {})}
        unknown = set(self.weights) - {*COMPONENT_CLASSES, "popularity"}
        if unknown:
            raise ValueError(f"unknown hybrid components: {sorted(unknown)}")
        params = {"collaborative": collaborative, "sequential": sequential, "content": content}
        self.components: dict[str, Engine] = {
            name: cls(**(params[name] or {})) for name, cls in COMPONENT_CLASSES.items()
        }
        self.popularity_half_life_days = popularity_half_life_days
        if popularity_half_life_days is None:
            self.components["popularity"] = PopularityEngine()
        else:
            self.components["popularity"] = TrendingEngine(half_life_days=popularity_half_life_days)

    def fit(self, data: TrainingData, fitted: Mapping[str, Engine] | None = None) -> HybridEngine:
        """Fit the components; ``fitted`` offers engines already fitted on this same ``data``
        (by name): a component of the same class and parameters takes that engine as it is
        instead of fitting an identical copy (training the served engines fits EASE once)."""
        for name, engine in self.components.items():
            if self.weights.get(name, 0.0) != 0.0 or name in ("popularity", "content"):
                twin = (fitted or {}).get(name)
                if twin is not None and _same_parameters(engine, twin):
                    self.components[name] = twin
                else:
                    engine.fit(data)
        return self

    def component_scores(self, name: str, history: History) -> np.ndarray:
        """One component's raw (unstandardised) scores for ``history``."""
        engine = self.components[name]
        if isinstance(engine, PopularityEngine | TrendingEngine):
            return np.log1p(engine.item_scores.astype(np.float64))
        return engine.raw_score(history)

    def _cold_start(self, history: History) -> np.ndarray:
        scores = unit_scale(self.component_scores("popularity", history)).astype(np.float64)
        if history.features:
            matches = self.components["content"].raw_score(history) > 0
            scores = scores + matches
        return scores

    def raw_score(
        self, history: History, known: Mapping[str, np.ndarray] | None = None
    ) -> np.ndarray:
        """Blended scores; ``known`` holds raw component scores already computed for this
        history by an identical engine (see ``shares_component``), which are not recomputed."""
        if history.is_empty:
            return self._cold_start(history)
        known = known or {}
        total = None
        for name, weight in self.weights.items():
            if weight == 0.0:
                continue
            raw = known[name] if name in known else self.component_scores(name, history)
            part = weight * standardize(raw)
            total = part if total is None else total + part
        return total if total is not None else self._cold_start(history)

    def score(self, history: History, known: Mapping[str, np.ndarray] | None = None) -> np.ndarray:
        return unit_scale(self.raw_score(history, known))

    def shares_component(self, name: str, engine: Engine) -> bool:
        """Whether component ``name`` is the same fitted model as ``engine``: then that
        engine's ``raw_score`` of a history can stand in for the component's."""
        own = self.components.get(name)
        if own is None or type(own) is not type(engine) or not hasattr(engine, "raw_score"):
            return False
        own_meta, own_arrays = own.state()
        meta, arrays = engine.state()
        return (
            own_meta == meta
            and own_arrays.keys() == arrays.keys()
            and all(np.array_equal(own_arrays[key], arrays[key]) for key in own_arrays)
        )

    def _standardised_parts(self, history: History) -> dict[str, np.ndarray]:
        """Standardised component scores, memoised for the last history (explain is called
        once per recommended item of the same user). One tuple assignment: thread-safe."""
        key = (
            np.asarray(history.items).tobytes(),
            np.asarray(history.weights).tobytes(),
            np.asarray(history.timestamps).tobytes(),
        )
        cached = getattr(self, "_parts_cache", None)
        if cached is not None and cached[0] == key:
            return cached[1]
        parts = {
            name: standardize(self.component_scores(name, history))
            for name in EXPLAIN_ORDER
            if self.weights.get(name, 0.0) > 0
        }
        self._parts_cache = (key, parts)
        return parts

    def explain(self, history: History, item: int) -> int | None:
        if history.is_empty:
            return None
        parts = self._standardised_parts(history)
        contributions = sorted(
            ((self.weights[name] * part[item], name) for name, part in parts.items()),
            reverse=True,
        )
        for _, name in contributions:
            position = self.components[name].explain(history, item)
            if position is not None:
                return position
        return None

    def state(self) -> tuple[dict, dict[str, np.ndarray]]:
        meta = {
            "weights": self.weights,
            "popularity_half_life_days": self.popularity_half_life_days,
            "components": {},
        }
        arrays = {}
        for name, engine in self.components.items():
            component_meta, component_arrays = engine.state()
            meta["components"][name] = {"kind": type(engine).__name__, "meta": component_meta}
            arrays.update({f"{name}/{key}": value for key, value in component_arrays.items()})
        return meta, arrays

    @classmethod
    def from_state(cls, meta: dict, arrays: dict[str, np.ndarray]) -> HybridEngine:
        engine = cls(
            weights=meta["weights"], popularity_half_life_days=meta["popularity_half_life_days"]
        )
        kinds = {
            c.__name__: c
            for c in (EaseEngine, TransitionEngine, ContentEngine, PopularityEngine, TrendingEngine)
        }
        for name, spec in meta["components"].items():
            prefix = f"{name}/"
            component_arrays = {
                key[len(prefix) :]: value for key, value in arrays.items() if key.startswith(prefix)
            }
            engine.components[name] = kinds[spec["kind"]].from_state(spec["meta"], component_arrays)
        return engine
