"""Why an item is recommended: the user's event behind it, named ("Because you liked Alien").

An engine names the position in the user's history that most supports an item
(``Engine.explain_many``, one vectorised call for a whole list); the event at that position
becomes the reason. Items no event supports keep their engine's general reason.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from apps.recommendations.engines.base import History
from apps.recommendations.registry import LoadedEngine
from apps.recommendations.training import ALREADY_SEEN, CLICK, FEEDBACK_POSITIVE, UserEvents

# Explanations are one engine call per list; past this budget per user the lists not yet
# explained keep the engine's general reason instead of a named movie.
EXPLAIN_BUDGET_SECONDS = 0.04

EVENT_REASONS = {
    "favorite": "Because you added {title} to your favorites",
    "like": "Because you liked {title}",
    "rating": "Because you rated {title} {rating} out of 5",
    "watchlist": "Because {title} is on your watchlist",
    "view": "Because you watched {title}",
    "share": "Because you shared {title}",
    FEEDBACK_POSITIVE: "Because you liked our suggestion of {title}",
    CLICK: "Because you looked at {title}",
    ALREADY_SEEN: "Because you have seen {title}",
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


@dataclass
class Explainer:
    """An engine that can name the event behind an item, with the history it scored."""

    loaded: LoadedEngine
    history: History
    positions: list[int]  # position in the user's events of each history position
    # Item index -> the engine's answer, asked right after scoring (while the engine still
    # holds the user's part scores); items not in it are asked when explained.
    answered: dict[int, int | None] | None = None

    def reasons(self, events: UserEvents, movie_ids: list[int]) -> list[str | None]:
        """The reason of each of ``movie_ids`` (None where no event of the user supports it)."""
        found: list[str | None] = [None] * len(movie_ids)
        items, known = self.loaded.items_of(np.asarray(movie_ids, dtype=np.int64))
        indexes = np.flatnonzero(known)
        if indexes.size == 0:
            return found
        answered = self.answered or {}
        asked = [int(item) for item in items[indexes] if int(item) not in answered]
        fresh = (
            dict(
                zip(
                    asked,
                    self.loaded.engine.explain_many(
                        self.history, np.asarray(asked, dtype=np.int64)
                    ),
                    strict=True,
                )
            )
            if asked
            else {}
        )
        answers = [
            answered[int(item)] if int(item) in answered else fresh[int(item)]
            for item in items[indexes]
        ]
        named: dict[int, str | None] = {}  # one event often supports several items
        for index, position in zip(indexes.tolist(), answers, strict=True):
            if position is not None and 0 <= position < len(self.positions):
                if position not in named:
                    named[position] = event_reason(events, self.positions[position])
                found[index] = named[position]
        return found


def hybrid_explainers(explainers: dict[str, list[Explainer]]) -> None:
    """Explain hybrid items through the collaborative and content engines when they share
    its item indexes: the same answer the hybrid gives, at a fraction of the cost."""
    own = explainers.get("hybrid")
    if not own or own[0].loaded.name != "hybrid":
        return
    item_ids = own[0].loaded.item_ids
    shared = [
        explainer
        for name in ("collaborative", "content")
        for explainer in explainers.get(name, [])
        if explainer.loaded.name == name and np.array_equal(explainer.loaded.item_ids, item_ids)
    ]
    if shared:
        explainers["hybrid"] = shared


def lists_explain(
    explainers: dict[str, list[Explainer]],
    lists: dict[str, list[Scored]],
    events: UserEvents,
) -> dict[str, list[Scored]]:
    """The lists with each item's reason named where an explainer can (hybrid first).

    Each explainer is asked once per list, for the items no earlier explainer named; an
    answer is shared between lists explained by the same artifact.
    """
    hybrid_explainers(explainers)
    # Artifact id -> movie id -> reason: a hybrid item explained by the collaborative engine
    # reuses the answer already given for the collaborative list, and the other way round.
    known: dict[int, dict[int, str | None]] = {}
    deadline = time.perf_counter() + EXPLAIN_BUDGET_SECONDS
    explained: dict[str, list[Scored]] = {}
    for name in sorted(lists, key=lambda name: name != "hybrid"):
        ranked = lists[name]
        movie_ids = [scored.movie_id for scored in ranked]
        reasons: list[str | None] = [None] * len(ranked)
        for explainer in explainers.get(name, []):
            if time.perf_counter() >= deadline:
                break
            answers = known.setdefault(explainer.loaded.artifact_id, {})
            asked = [
                movie_id
                for movie_id, reason in zip(movie_ids, reasons, strict=True)
                if not reason and movie_id not in answers
            ]
            if asked:
                answers.update(zip(asked, explainer.reasons(events, asked), strict=True))
            reasons = [
                reason or answers.get(movie_id)
                for movie_id, reason in zip(movie_ids, reasons, strict=True)
            ]
        explained[name] = [
            Scored(scored.movie_id, scored.score, reason) if reason else scored
            for scored, reason in zip(ranked, reasons, strict=True)
        ]
    return explained
