"""Hybrid engine: a weighted blend of standardised component scores, with a cold-start path.

Components: collaborative (EASE over a recency-weighted history), collaborative_recent (EASE
trained with each user's latest interactions weighing most), graph (RP3beta, a random walk
item -> user -> item with popularity divided out), sequential (item-to-item
transitions from the latest positives), content (TF-IDF profile) and popularity (a prior).
Each component's raw scores are standardised per user (zero mean, unit deviation over the
catalogue) before blending, so the weights are comparable. The weights depend on how long the
user's history is (``bands``: a short history is best continued by what follows its latest
items, a long one by the user's taste as a whole and what is popular); they are tuned offline
on a validation split (apps/recommendations/evaluation/tuning.py, docs/recommender-quality.md).

Cold start: a user with no history gets popularity; declared tastes (``History.features``, e.g.
favorite genres) lift every matching item above every other one, so the user sees the most
popular movies of those genres first.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping

import numpy as np

from .base import (
    Engine,
    History,
    HistoryBatch,
    TrainingData,
    top_indexes,
    top_indexes_rows,
    unit_scale,
)
from .collaborative import EaseEngine, Rp3Engine
from .common import standardize
from .content import ContentEngine
from .sequential import TransitionEngine
from .trending import PopularityEngine, TrendingEngine

# Tuned on the MovieLens validation split (docs/recommender-quality.md); component defaults too.
# Each band applies to histories of fewer than ``max_events`` events (None: any longer one).
DEFAULT_BANDS = (
    {
        "max_events": 40,
        "weights": {
            "collaborative": 1.0,
            "collaborative_recent": 0.0,
            "content": 1.5,
            "graph": 0.0,
            "popularity": -0.5,
            "sequential": 0.75,
        },
    },
    {
        "max_events": 160,
        "weights": {
            "collaborative": 1.0,
            "collaborative_recent": 0.1,
            "content": 0.75,
            "graph": 0.0,
            "popularity": -0.5,
            "sequential": 0.35,
        },
    },
    {
        "max_events": None,
        "weights": {
            "collaborative": 1.0,
            "collaborative_recent": 2.0,
            "content": 0.35,
            "graph": 0.5,
            "popularity": -0.2,
            "sequential": 0.75,
        },
    },
)
DEFAULT_RECENT = {
    "half_life_events": None,
    "l2": 50.0,
    "max_items": 3000,
    "train_half_life_events": 200.0,
}
COMPONENT_CLASSES = {
    "collaborative": EaseEngine,
    "collaborative_recent": EaseEngine,
    "sequential": TransitionEngine,
    "content": ContentEngine,
    "graph": Rp3Engine,
}
COMPONENT_NAMES = (*COMPONENT_CLASSES, "popularity")
EXPLAIN_ORDER = ("collaborative", "collaborative_recent", "graph", "sequential", "content")


def _top_one(scores: np.ndarray, blocked: np.ndarray, k: int):
    """One user's top ``k`` of ``scores`` outside ``blocked`` (ties by index), no reasons."""
    scores = np.asarray(scores, dtype=np.float64).copy()
    if len(blocked):
        scores[np.asarray(blocked, dtype=np.int64)] = -np.inf
    candidates = np.flatnonzero(np.isfinite(scores))
    k = min(k, candidates.size)
    if k <= 0:
        empty = np.empty(0, dtype=np.int64)
        return empty, np.empty(0), empty
    values = scores[candidates]
    best = top_indexes(values, k)  # candidates ascend: ties by position are ties by index
    return candidates[best], values[best], np.full(best.size, -1, dtype=np.int64)


def _same_parameters(engine: Engine, other: Engine) -> bool:
    parameters = getattr(engine, "parameters", None)
    return (
        type(engine) is type(other)
        and parameters is not None
        and parameters() == other.parameters()
    )


def bands_normalise(bands) -> list[dict]:
    """Bands as plain dicts, checked: known components, increasing limits, the last open."""
    result = []
    for band in bands:
        limit = band.get("max_events")
        weights = {name: float(weight) for name, weight in dict(band["weights"]).items()}
        unknown = set(weights) - set(COMPONENT_NAMES)
        if unknown:
            raise ValueError(f"unknown hybrid components: {sorted(unknown)}")
        result.append({"max_events": None if limit is None else int(limit), "weights": weights})
    limits = [band["max_events"] for band in result]
    if not result or limits[-1] is not None or None in limits[:-1]:
        raise ValueError("bands need one open last band (max_events None)")
    if any(b <= a for a, b in itertools.pairwise(limits[:-1])):
        raise ValueError("band limits must increase")
    return result


class HybridEngine(Engine):
    name = "hybrid"

    def __init__(
        self,
        weights: dict[str, float] | None = None,
        collaborative: dict | None = None,
        sequential: dict | None = None,
        content: dict | None = None,
        popularity_half_life_days: float | None = None,
        collaborative_recent: dict | None = None,
        bands: list[dict] | tuple[dict, ...] | None = None,
        graph: dict | None = None,
    ):
        """``weights`` (one blend for every user) or ``bands`` (a blend per history length);
        with neither, the tuned default bands."""
        if weights is not None and bands is not None:
            raise ValueError("give weights or bands, not both")
        if weights is not None:
            bands = [{"max_events": None, "weights": weights}]
        self.bands = bands_normalise(bands if bands is not None else DEFAULT_BANDS)
        params = {
            "collaborative": collaborative,
            "collaborative_recent": {**DEFAULT_RECENT, **(collaborative_recent or {})},
            "sequential": sequential,
            "content": content,
            "graph": graph,
        }
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
        used = {name for band in self.bands for name, weight in band["weights"].items() if weight}
        for name, engine in self.components.items():
            if name in used or name in ("popularity", "content"):
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
        parts = self._standardised_parts(history, known or {})
        total = None
        for name, weight in self.weights_for(history).items():
            if weight == 0.0:
                continue
            standardised = parts.get(name)
            if standardised is None:
                standardised = standardize(self.component_scores(name, history))
            part = weight * standardised
            total = part if total is None else total + part
        return total if total is not None else self._cold_start(history)

    def score(self, history: History, known: Mapping[str, np.ndarray] | None = None) -> np.ndarray:
        return unit_scale(self.raw_score(history, known))

    @property
    def weights(self) -> dict[str, float]:
        """The blend of the longest histories (the only one when there are no bands)."""
        return self.bands[-1]["weights"]

    def weights_for(self, history: History) -> dict[str, float]:
        """The blend for a history of this length."""
        events = len(history.items)
        for band in self.bands:
            if band["max_events"] is None or events < band["max_events"]:
                return band["weights"]
        return self.bands[-1]["weights"]

    def with_weights(self, weights: dict[str, float]) -> HybridEngine:
        """The same fitted components blended by ``weights`` for every user (an experiment
        arm's blend): a shallow copy, nothing is refitted."""
        copy = object.__new__(HybridEngine)
        copy.__dict__.update(self.__dict__)
        copy.bands = bands_normalise([{"max_events": None, "weights": weights}])
        copy._parts_cache = None
        return copy

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

    def _standardised_parts(
        self, history: History, known: Mapping[str, np.ndarray] | None = None
    ) -> dict[str, np.ndarray]:
        """Standardised scores of the explaining components, memoised for the last history
        (scoring a user and then explaining their list reads them twice). One tuple
        assignment: thread-safe."""
        key = (
            np.asarray(history.items).tobytes(),
            np.asarray(history.weights).tobytes(),
            np.asarray(history.timestamps).tobytes(),
        )
        cached = getattr(self, "_parts_cache", None)
        if cached is not None and cached[0] == key:
            return cached[1]
        weights = self.weights_for(history)
        known = known or {}
        parts = {
            name: standardize(
                known[name] if name in known else self.component_scores(name, history)
            )
            for name in EXPLAIN_ORDER
            if weights.get(name, 0.0) > 0
        }
        self._parts_cache = (key, parts)
        return parts

    def explain(self, history: History, item: int) -> int | None:
        if history.is_empty:
            return None
        parts = self._standardised_parts(history)
        weights = self.weights_for(history)
        contributions = sorted(
            ((weights[name] * part[item], name) for name, part in parts.items()),
            reverse=True,
        )
        for _, name in contributions:
            position = self.components[name].explain(history, item)
            if position is not None:
                return position
        return None

    def explain_many(self, history: History, items: np.ndarray) -> list[int | None]:
        """``explain`` for many items, the same answers: each item is asked of its parts in
        order of their contribution, and each part explains all the items it is asked about
        in one call (most items are answered by their first part)."""
        items = np.asarray(items, dtype=np.int64).ravel()
        found: list[int | None] = [None] * items.size
        if history.is_empty or items.size == 0:
            return found
        parts = self._standardised_parts(history)
        weights = self.weights_for(history)
        orders = [
            [
                name
                for _, name in sorted(
                    ((weights[name] * part[item], name) for name, part in parts.items()),
                    reverse=True,
                )
            ]
            for item in items.tolist()
        ]
        pending = list(range(items.size))
        for step in range(len(parts)):
            asked: dict[str, list[int]] = {}
            for column in pending:
                asked.setdefault(orders[column][step], []).append(column)
            for name, columns in asked.items():
                answers = self.components[name].explain_many(history, items[columns])
                for column, answer in zip(columns, answers, strict=True):
                    found[column] = answer
            pending = [column for column in pending if found[column] is None]
            if not pending:
                break
        return found

    def rank_many(
        self, histories: list[History], blocked: list[np.ndarray], k: int
    ) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """Each user's top ``k`` items, their ``score`` values and the ``explain`` answer of
        each (a history position, -1 for None), for many users at once.

        The answers of ``score`` and ``explain_many`` user by user (up to float rounding), at
        a fraction of the cost: each part scores the whole block of users with one matrix
        product, the standardisation is folded into the blend weights (a score's [0, 1]
        scale ignores a constant added to a user's row), the parts that are constant outside
        a few columns (EASE's head) only touch those columns, and the EASE part explains
        every pair of the block in one vectorised pass. ``blocked`` holds each user's item
        indexes that must not be ranked. Empty histories take ``score`` one by one.
        """
        results: list[tuple[np.ndarray, np.ndarray, np.ndarray] | None] = [None] * len(histories)
        rows = [row for row, history in enumerate(histories) if not history.is_empty]
        for row in set(range(len(histories))) - set(rows):
            results[row] = _top_one(self.score(histories[row]), blocked[row], k)
        if rows:
            ranked = self._rank_block(
                [histories[row] for row in rows], [blocked[r] for r in rows], k
            )
            for row, answer in zip(rows, ranked, strict=True):
                results[row] = answer
        return results

    def _rank_block(
        self, histories: list[History], blocked: list[np.ndarray], k: int
    ) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        batch = HistoryBatch.of(histories)
        size = batch.size
        n_items = int(self.components["popularity"].item_scores.size)
        band_of = [self.weights_for(history) for history in histories]
        weight = {
            name: np.asarray([band.get(name, 0.0) for band in band_of], dtype=np.float64)
            for name in COMPONENT_NAMES
        }
        total = np.zeros((size, n_items), dtype=np.float32)
        moments: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # part -> (mean, deviation)
        values_at: dict[str, object] = {}  # part -> f(rows, items) -> raw values

        def scale(name: str, mean: np.ndarray, square_mean: np.ndarray) -> np.ndarray:
            deviation = np.sqrt(np.maximum(square_mean - mean * mean, 0.0))
            moments[name] = (mean, deviation)
            flat = deviation <= 1e-12
            return np.where(flat, 0.0, weight[name] / np.where(flat, 1.0, deviation))

        for name in ("collaborative", "collaborative_recent", "graph"):
            if not weight[name].any():
                continue
            engine = self.components[name]
            head, fill = engine.head_scores_many(batch)
            outside = n_items - head.shape[1]
            mean = (head.sum(axis=1, dtype=np.float64) + fill * outside) / n_items
            squares = (np.square(head).sum(axis=1, dtype=np.float64) + fill**2 * outside) / n_items
            factor = scale(name, mean, squares)
            if head.shape[1]:
                total[:, engine.head_items] += (
                    factor[:, np.newaxis] * (head - fill[:, np.newaxis])
                ).astype(np.float32)

            def ease_values(users, items, engine=engine, head=head, fill=fill):
                columns = engine.head_position[items] if head.shape[1] else np.full(items.size, -1)
                inside = columns >= 0
                return (
                    np.where(inside, head[users, np.maximum(columns, 0)], fill[users])
                    if head.shape[1]
                    else fill[users]
                )

            values_at[name] = ease_values
        if weight["content"].any():
            content = self.components["content"]
            scores = content.raw_score_many(content.profiles_many(batch))
            mean = scores.sum(axis=1, dtype=np.float64) / n_items
            squares = np.square(scores).sum(axis=1, dtype=np.float64) / n_items
            factor = scale("content", mean, squares).astype(np.float32)
            total += scores * factor[:, np.newaxis]
            values_at["content"] = lambda users, items, scores=scores: scores[users, items]
        if weight["sequential"].any():
            transitions = self.components["sequential"].raw_score_many(batch)
            row_of = np.repeat(np.arange(size), np.diff(transitions.indptr))
            sums = np.bincount(row_of, weights=transitions.data, minlength=size)
            squares = np.bincount(
                row_of, weights=np.square(transitions.data, dtype=np.float64), minlength=size
            )
            factor = scale("sequential", sums / n_items, squares / n_items)
            keys = row_of * n_items + transitions.indices
            total.reshape(-1)[keys] += (factor[row_of] * transitions.data).astype(np.float32)

            def sequential_values(users, items, keys=keys, data=transitions.data):
                wanted = users * n_items + items
                found = np.minimum(np.searchsorted(keys, wanted), max(keys.size - 1, 0))
                hit = keys[found] == wanted if keys.size else np.zeros(wanted.size, dtype=bool)
                return np.where(hit, data[found] if keys.size else 0.0, 0.0)

            values_at["sequential"] = sequential_values
        if weight["popularity"].any():
            popularity = standardize(self.component_scores("popularity", History.empty()))
            total += np.outer(
                weight["popularity"].astype(np.float32), popularity.astype(np.float32)
            )

        low, high = total.min(axis=1).astype(np.float64), total.max(axis=1).astype(np.float64)
        for row, items in enumerate(blocked):
            if len(items):
                total[row, items] = -np.inf
        k = min(k, n_items)
        if k <= 0:
            empty = np.empty(0, dtype=np.int64)
            return [(empty, np.empty(0), empty) for _ in range(size)]
        top = top_indexes_rows(total, k)  # the order is set below, from the scaled values
        raw = np.take_along_axis(total, top, axis=1).astype(np.float64)
        span = high - low
        scaled = (
            np.where(
                span[:, np.newaxis] > 1e-12,
                (raw - low[:, np.newaxis]) / np.where(span > 1e-12, span, 1.0)[:, np.newaxis],
                0.0,
            )
            .astype(np.float32)
            .astype(np.float64)
        )
        scaled[~np.isfinite(raw)] = -np.inf
        order = np.lexsort((top, -scaled), axis=1)
        top, scaled = (
            np.take_along_axis(top, order, axis=1),
            np.take_along_axis(scaled, order, axis=1),
        )
        found = self._explain_block(batch, histories, band_of, top, values_at, moments)
        results = []
        for row in range(size):
            keep = np.isfinite(scaled[row])
            results.append((top[row][keep], scaled[row][keep], found[row][keep]))
        return results

    def _explain_block(self, batch, histories, band_of, top, values_at, moments) -> np.ndarray:
        """``explain_many`` of every user's ``top`` items: the parts ordered per item by
        their weighted standardised score, each asked in turn about the items still open."""
        size, k = top.shape
        found = np.full((size, k), -1, dtype=np.int64)
        names = [name for name in EXPLAIN_ORDER if name in values_at]
        if not names or k == 0:
            return found
        users = np.repeat(np.arange(size), k)
        items = top.reshape(-1).astype(np.int64)
        contributions = np.full((users.size, len(names)), -np.inf)
        asked = np.zeros((users.size, len(names)), dtype=bool)
        for column, name in enumerate(names):
            weights = np.asarray([band.get(name, 0.0) for band in band_of])
            mean, deviation = moments[name]
            raw = values_at[name](users, items).astype(np.float64)
            flat = deviation[users] <= 1e-12
            standardised = np.where(
                flat, 0.0, (raw - mean[users]) / np.where(flat, 1.0, deviation[users])
            )
            asked[:, column] = weights[users] > 0
            contributions[:, column] = weights[users] * standardised
        # sorted(((contribution, name), ...), reverse=True): larger contribution first, then
        # the larger name on ties; parts with no weight for the user are never asked.
        name_rank = np.argsort(np.argsort(names))
        order = np.lexsort(
            (
                np.broadcast_to(-name_rank, contributions.shape),
                -np.where(asked, contributions, -np.inf),
                ~asked,
            ),
            axis=1,
        )
        answer = np.full(users.size, -1, dtype=np.int64)
        for step in range(len(names)):
            column = order[:, step]
            open_pairs = (answer < 0) & asked[np.arange(users.size), column]
            for index, name in enumerate(names):
                pairs = np.flatnonzero(open_pairs & (column == index))
                if pairs.size:
                    answer[pairs] = self._explain_pairs(
                        name, batch, histories, users[pairs], items[pairs]
                    )
        return answer.reshape(size, k)

    def _explain_pairs(self, name, batch, histories, users, items) -> np.ndarray:
        engine = self.components[name]
        if hasattr(engine, "explain_pairs"):
            return engine.explain_pairs(batch, users, items)
        answer = np.full(users.size, -1, dtype=np.int64)
        starts = np.flatnonzero(np.r_[True, users[1:] != users[:-1]])
        for start, end in zip(starts, np.r_[starts[1:], users.size], strict=True):
            explained = engine.explain_many(histories[int(users[start])], items[start:end])
            answer[start:end] = [-1 if position is None else position for position in explained]
        return answer

    def state(self) -> tuple[dict, dict[str, np.ndarray]]:
        meta = {
            "bands": self.bands,
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
        bands = meta.get("bands") or [{"max_events": None, "weights": meta["weights"]}]
        engine = cls(bands=bands, popularity_half_life_days=meta["popularity_half_life_days"])
        kinds = {
            c.__name__: c
            for c in (
                EaseEngine,
                Rp3Engine,
                TransitionEngine,
                ContentEngine,
                PopularityEngine,
                TrendingEngine,
            )
        }
        for name, spec in meta["components"].items():
            prefix = f"{name}/"
            component_arrays = {
                key[len(prefix) :]: value for key, value in arrays.items() if key.startswith(prefix)
            }
            engine.components[name] = kinds[spec["kind"]].from_state(spec["meta"], component_arrays)
        return engine
