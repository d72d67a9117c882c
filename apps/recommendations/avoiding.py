"""Movies like the ones a user turned down rank lower in that user's lists.

Negative feedback and "not interested" on a suggestion say more than "not this one": the
user's lists push down the movies that resemble it. Resemblance is read from the active
engines: the content engine's item features (cosine of TF-IDF rows) and the collaborative
engine's item-item model (EASE weights, each turned-down movie's row scaled to [0, 1]); the
larger of the two counts. A candidate's score is multiplied by ``1 - AVOID_STRENGTH * s``.
"""

from __future__ import annotations

import numpy as np

from apps.recommendations.engines.collaborative import EaseEngine
from apps.recommendations.engines.content import ContentEngine
from apps.recommendations.registry import LoadedEngine, engine_get

AVOID_STRENGTH = 0.6
AVOID_POOL = 100  # extra candidates per list, so that pushed-down movies can be replaced


def _content_similarity(loaded: LoadedEngine, avoided: np.ndarray, movie_ids: np.ndarray):
    engine = loaded.engine
    if not isinstance(engine, ContentEngine) or engine.item_vectors.shape[1] == 0:
        return None
    sources, known_sources = loaded.items_of(avoided)
    targets, known_targets = loaded.items_of(movie_ids)
    similarity = np.zeros(movie_ids.size)
    if known_sources.any() and known_targets.any():
        vectors = engine.item_vectors
        pairs = (vectors[targets[known_targets]] @ vectors[sources[known_sources]].T).toarray()
        similarity[known_targets] = pairs.max(axis=1)
    return similarity


def _collaborative_similarity(loaded: LoadedEngine, avoided: np.ndarray, movie_ids: np.ndarray):
    engine = loaded.engine
    if not isinstance(engine, EaseEngine) or engine.head_items.size == 0:
        return None
    sources, known_sources = loaded.items_of(avoided)
    targets, known_targets = loaded.items_of(movie_ids)
    rows = engine.head_position[sources[known_sources]]
    rows = rows[rows >= 0]
    columns = np.full(movie_ids.size, -1, dtype=np.int64)
    columns[known_targets] = engine.head_position[targets[known_targets]]
    similarity = np.zeros(movie_ids.size)
    inside = np.flatnonzero(columns >= 0)
    if rows.size and inside.size:
        weights = np.maximum(engine.weights[rows].astype(np.float64), 0.0)
        scale = weights.max(axis=1, keepdims=True)
        scale[scale == 0] = 1.0
        similarity[inside] = (weights[:, columns[inside]] / scale).max(axis=0)
    return similarity


def avoided_similarity(*, avoided: set[int], movie_ids: list[int]) -> np.ndarray:
    """For each of ``movie_ids``, its largest resemblance in [0, 1] to an avoided movie."""
    targets = np.asarray(movie_ids, dtype=np.int64)
    similarity = np.zeros(targets.size)
    if not avoided or targets.size == 0:
        return similarity
    sources = np.fromiter(sorted(avoided), np.int64, len(avoided))
    for name, measure in (
        ("content", _content_similarity),
        ("collaborative", _collaborative_similarity),
    ):
        loaded = engine_get(name)
        found = measure(loaded, sources, targets) if loaded is not None else None
        if found is not None:
            similarity = np.maximum(similarity, found)
    return np.clip(similarity, 0.0, 1.0)


def avoided_rerank(
    *, avoided: set[int], movie_ids: list[int], scores: list[float]
) -> tuple[list[int], list[float]]:
    """``movie_ids`` with their scores lowered by resemblance to ``avoided``, best first
    (ties keep their order)."""
    if not avoided or not movie_ids:
        return movie_ids, scores
    factor = 1.0 - AVOID_STRENGTH * avoided_similarity(avoided=avoided, movie_ids=movie_ids)
    lowered = np.asarray(scores, dtype=np.float64) * factor
    order = np.argsort(-lowered, kind="stable")
    return [movie_ids[i] for i in order], [float(lowered[i]) for i in order]
