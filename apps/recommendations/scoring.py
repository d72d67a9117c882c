"""Turning engine scores into ranked, explained lists of movie ids (no writes).

Fold-in: a user's current events are scored by each active engine (no retraining), what the
user has already decided about is masked, the movies that are inactive or gone are dropped,
and each survivor gets a reason. A user with no usable history gets the cold-start list (the
best of their favorite genres, or what is trending). A missing or unreadable engine degrades
to the trending engine, and without that to popularity counted in the database.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from apps.recommendations import selectors
from apps.recommendations.engines import ENGINE_NAMES
from apps.recommendations.engines.base import History
from apps.recommendations.registry import LoadedEngine, engine_get
from apps.recommendations.training import CLICK, FEEDBACK_POSITIVE, UserEvents

STORED_PER_ENGINE = 100  # the largest ``limit`` a client may ask for
CANDIDATE_MARGIN = 20  # extra candidates per list, for the inactive movies dropped later
# Explanations cost an engine call each; past this budget per user the rest get the
# engine's general reason instead of a named movie.
EXPLAIN_BUDGET_SECONDS = 0.04

ENGINE_REASONS = {
    "trending": "Trending with Movie Nexus viewers this week",
    "content": "Matches the genres, themes and people you like",
    "collaborative": "Popular with viewers who share your taste",
    "hybrid": "Picked for your taste",
}
POPULAR_REASON = "Popular with Movie Nexus viewers"
EVENT_REASONS = {
    "favorite": "Because you added {title} to your favorites",
    "like": "Because you liked {title}",
    "rating": "Because you rated {title} {rating} out of 5",
    "watchlist": "Because {title} is on your watchlist",
    "view": "Because you watched {title}",
    "share": "Because you shared {title}",
    FEEDBACK_POSITIVE: "Because you liked our suggestion of {title}",
    CLICK: "Because you looked at {title}",
}
MAX_TITLE = 120


@dataclass(frozen=True)
class Scored:
    movie_id: int
    score: float
    reason: str


def event_reason(events: UserEvents, position: int) -> str | None:
    """ "Because you liked Alien" for the event at ``position``; None for negative events."""
    if events.weights[position] <= 0:
        return None
    template = EVENT_REASONS.get(events.kinds[position])
    if template is None:
        return None
    title = events.titles.get(events.movie_ids[position], "")
    if len(title) > MAX_TITLE:
        title = title[: MAX_TITLE - 3] + "..."
    rating = events.ratings[position]
    return template.format(title=title, rating=f"{rating:g}" if rating is not None else "")


def _top(scores: np.ndarray, blocked: np.ndarray, k: int) -> np.ndarray:
    """Indexes of the ``k`` best finite, unblocked scores, best first (ties by index)."""
    candidates = np.flatnonzero(~blocked & np.isfinite(scores))
    if k <= 0 or candidates.size == 0:
        return np.empty(0, dtype=np.int64)
    k = min(k, candidates.size)
    values = scores[candidates]
    best = np.argpartition(-values, k - 1)[:k]
    best = best[np.lexsort((candidates[best], -values[best]))]
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
    explainers: list[_Explainer] = field(default_factory=list)


@dataclass
class _Explainer:
    """An engine that can name the event behind an item, with the history it scored."""

    loaded: LoadedEngine
    history: History
    positions: list[int]

    def reason(self, events: UserEvents, movie_id: int) -> str | None:
        item = self.loaded.index_of.get(movie_id)
        if item is None:
            return None
        position = self.loaded.engine.explain(self.history, item)
        if position is None or not 0 <= position < len(self.positions):
            return None
        return event_reason(events, self.positions[position])


def _personal(
    loaded: LoadedEngine, events: UserEvents, genre_features: list[str], limit: int
) -> _Candidates | None:
    history, positions = events.history(loaded)
    if history.is_empty:
        return None
    history.features = genre_features
    scores = np.asarray(loaded.engine.score(history), dtype=np.float64)
    blocked = _blocked(loaded, events.excluded, scores.shape[0])
    top = _top(scores, blocked, limit + CANDIDATE_MARGIN)
    return _Candidates(
        [loaded.movie_id(int(item)) for item in top],
        [float(scores[i]) for i in top],
        [None] * len(top),
        ENGINE_REASONS.get(loaded.name, POPULAR_REASON),
        [_Explainer(loaded, history, positions)],
    )


def _hybrid_explainers(candidates: dict[str, _Candidates]) -> None:
    """Explain hybrid items through the collaborative and content engines when they share
    its item indexes: the same answer the hybrid gives, at a fraction of the cost."""
    hybrid = candidates.get("hybrid")
    if hybrid is None or not hybrid.explainers:
        return
    own = hybrid.explainers[0].loaded
    if own.name != "hybrid":
        return
    shared = [
        explainer
        for name in ("collaborative", "content")
        for explainer in (candidates[name].explainers if name in candidates else [])
        if explainer.loaded.name == name and np.array_equal(explainer.loaded.item_ids, own.item_ids)
    ]
    if shared:
        hybrid.explainers = shared


def _explain(
    candidates: dict[str, _Candidates], lists: dict[str, list[Scored]], events: UserEvents
) -> dict[str, list[Scored]]:
    """Fill in the reasons of the final lists within a time budget.

    Rank by rank across the lists (the hybrid first), so that when the budget runs out it is
    the tail of the lists that keeps the engine's general reason, not a whole list.
    """
    _hybrid_explainers(candidates)
    # (artifact id, movie id) -> reason: a hybrid item explained by the collaborative engine
    # reuses the answer already given for the collaborative list.
    known: dict[tuple[int, int], str | None] = {}
    deadline = time.perf_counter() + EXPLAIN_BUDGET_SECONDS
    explained = {name: list(ranked) for name, ranked in lists.items()}
    order = sorted(lists, key=lambda name: name != "hybrid")
    longest = max((len(ranked) for ranked in lists.values()), default=0)
    for rank in range(longest):
        if time.perf_counter() >= deadline:
            break
        for name in order:
            if rank >= len(lists[name]) or not candidates[name].explainers:
                continue
            scored = lists[name][rank]
            reason = None
            for explainer in candidates[name].explainers:
                key = (explainer.loaded.artifact_id, scored.movie_id)
                if key not in known:
                    known[key] = explainer.reason(events, scored.movie_id)
                reason = known[key]
                if reason:
                    break
            if reason:
                explained[name][rank] = Scored(scored.movie_id, scored.score, reason)
    return explained


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


def user_lists_compute(
    *,
    events: UserEvents,
    favorite_genres: list[tuple[int, str]],
    limit: int = STORED_PER_ENGINE,
    engine_names: tuple[str, ...] = ENGINE_NAMES,
    explain: bool = True,
) -> dict[str, list[Scored]]:
    """Each engine's top ``limit`` for one user: scores in [0, 1], best first, with reasons."""
    genre_features = [f"genre:{name}" for _, name in favorite_genres]
    candidates: dict[str, _Candidates] = {}
    fallback: _Candidates | None = None
    for name in engine_names:
        loaded = engine_get(name)
        if loaded is None and name != "trending":
            loaded = engine_get("trending")
        found = _personal(loaded, events, genre_features, limit) if loaded else None
        if found is None:
            if fallback is None:
                fallback = cold_start_candidates(
                    favorite_genres=favorite_genres, excluded=events.excluded, limit=limit
                )
            found = fallback
        candidates[name] = found

    everything = {movie_id for found in candidates.values() for movie_id in found.movie_ids}
    available = selectors.active_movie_ids(movie_ids=everything)
    lists: dict[str, list[Scored]] = {}
    for name, found in candidates.items():
        ranked: list[Scored] = []
        for movie_id, score, reason in zip(
            found.movie_ids, found.scores, found.reasons, strict=True
        ):
            if movie_id in available and movie_id not in events.excluded:
                ranked.append(Scored(movie_id, _clip(score), reason or found.default_reason))
                if len(ranked) == limit:
                    break
        lists[name] = ranked
    return _explain(candidates, lists, events) if explain else lists


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
