"""Turning engine scores into ranked, explained lists of movie ids (no writes).

Fold-in: a user's current events are scored by each active engine (no retraining), what the
user has already decided about is masked, the movies that are inactive or gone are dropped,
and each survivor gets a reason (``reasons.py``). A user with no usable history gets the
cold-start list (the best of their favorite genres, or what is trending). A missing or
unreadable engine degrades to the trending engine, and without that to popularity counted in
the database. Many users can be computed at once (``user_lists_compute_many``, used by
training): the engines are resolved and the active movies looked up once for the batch.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from apps.recommendations import selectors
from apps.recommendations.avoiding import AVOID_POOL, avoided_rerank
from apps.recommendations.engines import ENGINE_NAMES
from apps.recommendations.engines.base import History, top_indexes, unit_scale
from apps.recommendations.engines.collaborative import EaseEngine
from apps.recommendations.engines.hybrid import HybridEngine
from apps.recommendations.reasons import MAX_TITLE, Explainer, Scored, lists_explain
from apps.recommendations.registry import LoadedEngine, engine_get
from apps.recommendations.training import UserEvents

STORED_PER_ENGINE = 50  # rows kept per list, and the largest ``limit`` a client may ask for
CANDIDATE_MARGIN = 20  # extra candidates per list, for the inactive movies dropped later
RANK_BLOCK = 100  # users the hybrid ranks with one set of matrix products
RANK_BLOCK_CELLS = 5_000_000  # users x movies per block: about 20 MB per float32 matrix
ENGINE_REASONS = {
    "trending": "Trending with Movie Nexus viewers this week",
    "content": "Matches the genres, themes and people you like",
    "collaborative": "Popular with viewers who share your taste",
    "hybrid": "Picked for your taste",
}
POPULAR_REASON = "Popular with Movie Nexus viewers"


def _top(scores: np.ndarray, blocked: np.ndarray, k: int) -> np.ndarray:
    """Indexes of the ``k`` best finite, unblocked scores, best first (ties by index)."""
    candidates = np.flatnonzero(~blocked & np.isfinite(scores))
    if k <= 0 or candidates.size == 0:
        return np.empty(0, dtype=np.int64)
    k = min(k, candidates.size)
    best = top_indexes(scores[candidates], k)  # candidates ascend: ties by index
    return candidates[best]


def _blocked(loaded: LoadedEngine, excluded: set[int], n_items: int) -> np.ndarray:
    """Mask over the engine's items of the movies in ``excluded``."""
    blocked = np.zeros(n_items, dtype=bool)
    if excluded:
        items, known = loaded.items_of(np.fromiter(excluded, np.int64, len(excluded)))
        blocked[items[known]] = True
    return blocked


def _clip(score: float) -> float:
    return float(min(1.0, max(0.0, score))) if np.isfinite(score) else 0.0


@dataclass
class _Candidates:
    """One engine's ranked candidates before the active-movie filter."""

    movie_ids: list[int]
    scores: list[float]
    reasons: list[str | None]
    default_reason: str = POPULAR_REASON
    explainers: list[Explainer] = field(default_factory=list)


def _hybrid_ranked(
    loaded: LoadedEngine, users: Sequence[tuple[UserEvents, list[tuple[int, str]]]], limit: int
) -> list[tuple | None]:
    """The hybrid's candidates of every user of a batch, ranked and explained a block at a
    time (``HybridEngine.rank_many``): (history, positions, items, scores, answers), or None
    for a user without a usable history."""
    found: list[tuple | None] = [None] * len(users)
    rows, histories, blocked, limits = [], [], [], []
    for row, (events, favorite_genres) in enumerate(users):
        history, positions = events.history(loaded)
        if history.is_empty:
            continue
        history.features = [f"genre:{name}" for _, name in favorite_genres]
        rows.append(row)
        histories.append((history, positions))
        excluded = events.excluded
        items, known = loaded.items_of(np.fromiter(excluded, np.int64, len(excluded)))
        blocked.append(items[known])
        limits.append(AVOID_POOL if events.avoided else 0)
    size = max(1, min(RANK_BLOCK, RANK_BLOCK_CELLS // max(loaded.item_ids.size, 1)))
    for start in range(0, len(rows), size):
        block = slice(start, start + size)
        ranked = loaded.engine.rank_many(
            [history for history, _ in histories[block]],
            blocked[block],
            limit + CANDIDATE_MARGIN + max(limits[block]),
        )
        for row, (history, positions), extra, (items, scores, answers) in zip(
            rows[block], histories[block], limits[block], ranked, strict=True
        ):
            found[row] = (history, positions, items, scores, answers, extra)
    return found


def _personal(
    loaded: LoadedEngine,
    events: UserEvents,
    genre_features: list[str],
    limit: int,
    shared: dict[str, np.ndarray] | None = None,
    ranked: tuple | None = None,
) -> _Candidates | None:
    """One engine's candidates for the user; None without a usable history.

    With ``shared`` (a dict, when the hybrid's collaborative part is the collaborative engine
    itself), the collaborative engine leaves its raw scores there and the hybrid reuses them
    instead of scoring the same EASE model again: identical numbers, half the cost.
    ``ranked`` is the hybrid's answer for this user computed with the whole batch
    (``_hybrid_ranked``): nothing is scored again.
    """
    if ranked is not None:
        history, positions, items, scores, answers, _ = ranked
        keep = min(limit + CANDIDATE_MARGIN, items.size)
        items, scores, answers = items[:keep], scores[:keep], answers[:keep]
        answered = {
            int(item): (None if answer < 0 else int(answer))
            for item, answer in zip(items.tolist(), answers.tolist(), strict=True)
        }
        return _Candidates(
            loaded.item_ids[items].tolist(),
            scores.tolist(),
            [None] * len(items),
            ENGINE_REASONS.get(loaded.name, POPULAR_REASON),
            [Explainer(loaded, history, positions, answered)],
        )
    history, positions = events.history(loaded)
    if history.is_empty:
        return None
    history.features = genre_features
    if shared is not None and loaded.name == "collaborative":
        shared["collaborative"] = loaded.engine.raw_score(history)
        scores = unit_scale(shared["collaborative"])
    elif shared and loaded.name == "hybrid":
        scores = loaded.engine.score(history, known=shared)
    else:
        scores = loaded.engine.score(history)
    scores = np.asarray(scores, dtype=np.float64)
    blocked = _blocked(loaded, events.excluded, scores.shape[0])
    top = _top(scores, blocked, limit + CANDIDATE_MARGIN)
    answered = None
    if isinstance(loaded.engine, HybridEngine):
        # Explained now, while the hybrid holds this user's part scores: a batch scores
        # every user before explaining any, and recomputing the parts would double the cost.
        answered = dict(zip(top.tolist(), loaded.engine.explain_many(history, top), strict=True))
    return _Candidates(
        loaded.item_ids[top].tolist(),
        scores[top].tolist(),
        [None] * len(top),
        ENGINE_REASONS.get(loaded.name, POPULAR_REASON),
        [Explainer(loaded, history, positions, answered)],
    )


# (hybrid artifact id, collaborative artifact id) -> whether the hybrid's part is that engine.
_shares_collaborative: dict[tuple[int, int], bool] = {}


def _hybrid_shares_collaborative(engines: dict[str, LoadedEngine | None]) -> bool:
    """Whether the active hybrid's collaborative part is the active collaborative engine
    (same item indexes, same fitted EASE model): decided once per pair of versions."""
    hybrid, collaborative = engines.get("hybrid"), engines.get("collaborative")
    if hybrid is None or collaborative is None:
        return False
    if hybrid.name != "hybrid" or collaborative.name != "collaborative":
        return False
    key = (hybrid.artifact_id, collaborative.artifact_id)
    if key not in _shares_collaborative:
        if len(_shares_collaborative) > 16:
            _shares_collaborative.clear()
        _shares_collaborative[key] = (
            isinstance(hybrid.engine, HybridEngine)
            and isinstance(collaborative.engine, EaseEngine)
            and np.array_equal(hybrid.item_ids, collaborative.item_ids)
            and hybrid.engine.shares_component("collaborative", collaborative.engine)
        )
    return _shares_collaborative[key]


def _popular(excluded: set[int], limit: int) -> tuple[list[int], list[float], str]:
    """Trending from its engine when available, else popularity counted in the database."""
    trending = engine_get("trending")
    if trending is not None:
        scores = np.asarray(trending.engine.score(History.empty()), dtype=np.float64)
        blocked = _blocked(trending, excluded, scores.shape[0])
        top = _top(scores, blocked, limit + CANDIDATE_MARGIN)
        return (
            [trending.movie_id(int(i)) for i in top],
            [float(scores[i]) for i in top],
            ENGINE_REASONS["trending"],
        )
    ranked = [pair for pair in selectors.popular_movie_scores() if pair[0] not in excluded]
    ranked = ranked[: limit + CANDIDATE_MARGIN]
    return [m for m, _ in ranked], [s for _, s in ranked], POPULAR_REASON


def cold_start_candidates(
    *, favorite_genres: list[tuple[int, str]], excluded: set[int], limit: int
) -> _Candidates:
    """The best of the user's favorite genres; with none, what is popular now."""
    if favorite_genres:
        best = selectors.best_movies_in_genres(
            genre_ids=[genre_id for genre_id, _ in favorite_genres],
            exclude=excluded,
            limit=limit + CANDIDATE_MARGIN,
        )
        if best:
            names = dict(favorite_genres)
            return _Candidates(
                [movie_id for movie_id, _, _ in best],
                [score for _, score, _ in best],
                [
                    f"Among the best in {names[genre_id]}, one of your favorite genres"
                    for _, _, genre_id in best
                ],
            )
    movie_ids, scores, reason = _popular(excluded, limit)
    return _Candidates(movie_ids, scores, [reason] * len(movie_ids), reason)


def _engines_resolve(engine_names: tuple[str, ...]) -> dict[str, LoadedEngine | None]:
    """The loaded engine behind each list: the engine itself, else trending, else None."""
    engines: dict[str, LoadedEngine | None] = {}
    for name in engine_names:
        loaded = engine_get(name)
        if loaded is None and name != "trending":
            loaded = engine_get("trending")
        engines[name] = loaded
    return engines


def _user_candidates(
    events: UserEvents,
    favorite_genres: list[tuple[int, str]],
    engines: dict[str, LoadedEngine | None],
    share_collaborative: bool,
    limit: int,
    hybrid_ranked: tuple | None = None,
) -> dict[str, _Candidates]:
    genre_features = [f"genre:{name}" for _, name in favorite_genres]
    shared: dict[str, np.ndarray] | None = {} if share_collaborative else None
    if events.avoided:
        limit += AVOID_POOL  # room for the movies that replace the pushed-down ones
    candidates: dict[str, _Candidates] = {}
    fallback: _Candidates | None = None
    for name, loaded in engines.items():
        found = None
        if loaded is not None:
            ranked = hybrid_ranked if name == "hybrid" else None
            found = _personal(loaded, events, genre_features, limit, shared, ranked)
        if found is None:
            if fallback is None:
                fallback = cold_start_candidates(
                    favorite_genres=favorite_genres, excluded=events.excluded, limit=limit
                )
            found = fallback
        candidates[name] = found
    return candidates


def _user_lists(
    candidates: dict[str, _Candidates],
    events: UserEvents,
    available: set[int],
    limit: int,
    explain: bool,
) -> dict[str, list[Scored]]:
    lists: dict[str, list[Scored]] = {}
    for name, found in candidates.items():
        ranked: list[Scored] = []
        reason_of = dict(zip(found.movie_ids, found.reasons, strict=True))
        movie_ids, scores = avoided_rerank(
            avoided=events.avoided, movie_ids=found.movie_ids, scores=found.scores
        )
        for movie_id, score, reason in zip(
            movie_ids, scores, [reason_of[m] for m in movie_ids], strict=True
        ):
            if movie_id in available and movie_id not in events.excluded:
                score = score if 0.0 <= score <= 1.0 else _clip(score)
                ranked.append(Scored(movie_id, score, reason or found.default_reason))
                if len(ranked) == limit:
                    break
        lists[name] = ranked
    if not explain:
        return lists
    explainers = {name: list(found.explainers) for name, found in candidates.items()}
    return lists_explain(explainers, lists, events)


def user_lists_compute_many(
    *,
    users: Sequence[tuple[UserEvents, list[tuple[int, str]]]],
    limit: int = STORED_PER_ENGINE,
    engine_names: tuple[str, ...] = ENGINE_NAMES,
    explain: bool = True,
    hybrid_weights: dict[str, float] | None = None,
) -> list[dict[str, list[Scored]]]:
    """``user_lists_compute`` for each (events, favorite genres) of ``users``, in order.

    ``hybrid_weights`` (an experiment arm's blend) replaces the trained hybrid blend.
    """
    engines = _engines_resolve(engine_names)
    hybrid = engines.get("hybrid")
    if hybrid_weights and hybrid is not None and isinstance(hybrid.engine, HybridEngine):
        engines["hybrid"] = replace(hybrid, engine=hybrid.engine.with_weights(hybrid_weights))
    share_collaborative = _hybrid_shares_collaborative(engines)
    hybrid = engines.get("hybrid")
    batched: list[tuple | None] = [None] * len(users)
    if hybrid is not None and isinstance(hybrid.engine, HybridEngine):
        batched = _hybrid_ranked(hybrid, users, limit)
    computed = [
        (
            events,
            _user_candidates(events, genres, engines, share_collaborative, limit, ranked),
        )
        for (events, genres), ranked in zip(users, batched, strict=True)
    ]
    everything = {
        movie_id
        for _, candidates in computed
        for found in candidates.values()
        for movie_id in found.movie_ids
    }
    available = selectors.active_movie_ids(movie_ids=everything)
    return [
        _user_lists(candidates, events, available, limit, explain)
        for events, candidates in computed
    ]


def user_lists_compute(
    *,
    events: UserEvents,
    favorite_genres: list[tuple[int, str]],
    limit: int = STORED_PER_ENGINE,
    engine_names: tuple[str, ...] = ENGINE_NAMES,
    explain: bool = True,
    hybrid_weights: dict[str, float] | None = None,
) -> dict[str, list[Scored]]:
    """Each engine's top ``limit`` for one user: scores in [0, 1], best first, with reasons."""
    return user_lists_compute_many(
        users=[(events, favorite_genres)],
        limit=limit,
        engine_names=engine_names,
        explain=explain,
        hybrid_weights=hybrid_weights,
    )[0]


def movie_neighbours_compute(*, movie_id: int, title: str, limit: int) -> list[Scored]:
    """People who liked ``movie_id`` also liked: from the collaborative engine's item model,
    or co-occurrence counted in the database when that engine cannot say."""
    reason = f"People who liked {title[:MAX_TITLE]} also liked this"
    loaded = engine_get("collaborative")
    found: list[tuple[int, float]] = []
    if loaded is not None and movie_id in loaded.index_of:
        item = loaded.index_of[movie_id]
        history = History(
            items=np.asarray([item], dtype=np.int32),
            weights=np.asarray([1.0], dtype=np.float32),
            timestamps=np.asarray([int(time.time())], dtype=np.int64),
        )
        # Raw scores keep "no evidence" at zero (the [0, 1] scale would lift it).
        raw_score = getattr(loaded.engine, "raw_score", loaded.engine.score)
        scores = np.asarray(raw_score(history), dtype=np.float64)
        blocked = scores <= 0
        blocked[item] = True
        top = _top(scores, blocked, limit + CANDIDATE_MARGIN)
        best = float(scores[top[0]]) if top.size else 1.0
        found = [(loaded.movie_id(int(i)), float(scores[i]) / best) for i in top]
    if not found:
        found = selectors.co_liked_movie_scores(movie_id=movie_id, limit=limit + CANDIDATE_MARGIN)
    available = selectors.active_movie_ids(movie_ids={m for m, _ in found})
    return [
        Scored(m, _clip(score), reason) for m, score in found if m in available and m != movie_id
    ][:limit]


def anonymous_list_compute(*, limit: int) -> list[Scored]:
    """What an anonymous visitor is shown: trending (or popularity without the engine)."""
    movie_ids, scores, reason = _popular(set(), limit)
    available = selectors.active_movie_ids(movie_ids=set(movie_ids))
    return [
        Scored(m, _clip(s), reason)
        for m, s in zip(movie_ids, scores, strict=True)
        if m in available
    ][:limit]
