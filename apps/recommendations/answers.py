"""The cached answer of ``GET me/recommendations/``: the bytes sent, per user, engine and limit
(apps.core.fastpath serves a hit before DRF), made by the view on a miss, and by the refresh
drain right after it refreshed a user (services.recommendations_refresh_drain).

Why the drain makes it too: a refresh stores new lists, which drops the user's cached answers,
so without it the first read after every background refresh was a miss, which builds the
answer from the stored list in the request (10 to 13 ms of CPU at seed 002's volumes, against
about 1 ms for a hit; issue 16), and the users who write are the ones who read. The drain makes
the default answer (the default list, DEFAULT_LIMIT items) in the worker, whose CPU is not the
servers' in a deployment, stored under the version it read before making it, as the view
stores its own (an answer made while a change lands is born stale).

Each movie an answer shows is read and rendered once for every answer made together: the
stored rows are read without their movies (selectors.recommendation_lists), then the distinct
movies with ``movies_for_summary`` and MovieSummarySerializer, and each item is put together
from its row and its movie's summary, as RecommendationItemSerializer lays it out. The users
a drain refreshes are shown mostly the same movies (at seed 002's volumes, 60 to 75 distinct
movies among the 400 items of 20 users' answers), and reading and rendering a movie for each
item was most of the answers' cost (4.3 ms of a drain's 8.0 ms of CPU per user; 0.7 ms now,
and a drain 5.2 to 5.6 ms: bench/recommendations_drain.py, issue 16). An answer made alone
(the view's miss) reads its movies in a query of their own, one more than when they came with
the rows.
"""

from apps.catalog.serializers import MovieSummarySerializer
from apps.core.cache import MISSING, versioned_get_many, versioned_set_many
from apps.core.envelope import success_body
from apps.core.fastpath import UserSlot
from apps.core.renderers import EnvelopeJSONRenderer
from apps.recommendations import selectors
from apps.recommendations.experiments import EXPERIMENTS_NAMESPACE, Arm
from apps.recommendations.registry import ACTIVE_NAMESPACE
from apps.recommendations.services import USER_RECS_TTL
from apps.recommendations.storing import user_namespace

DEFAULT_LIMIT = 20  # items in an answer the client did not size (the view's default)


def served_slot(*, user_id: int, engine: str | None, limit: int) -> UserSlot:
    """Where the answer for ``engine`` (None: the user's default list) and ``limit`` is cached;
    it counts while the user's lists, the active models and the experiments are unchanged."""
    return UserSlot(
        user_namespace(user_id),
        ("served", engine or "default", limit),
        USER_RECS_TTL,
        depends_on=(ACTIVE_NAMESPACE, EXPERIMENTS_NAMESPACE),
    )


def served_answer(rows: list, *, engine: str, arm: Arm | None) -> tuple[bytes, tuple]:
    """The answer's bytes for these stored rows (selectors.recommendation_list), with what
    serving it records (the engine, the experiment arm and the movies shown)."""
    return served_answers([(rows, engine, arm)])[0]


def served_answers(lists: list[tuple[list, str, Arm | None]]) -> list[tuple[bytes, tuple]]:
    """``served_answer`` of each ``(rows, engine, arm)``, every movie they show read and
    rendered once (two queries for any number of lists). A row whose movie is no longer
    active by then is left out, as the list query leaves out the ones inactive before."""
    summaries = _movie_summaries(
        list(dict.fromkeys(row.movie_id for rows, _, _ in lists for row in rows))
    )
    renderer = EnvelopeJSONRenderer()
    answers = []
    for rows, engine, arm in lists:
        data = [_item(row, summaries[row.movie_id]) for row in rows if row.movie_id in summaries]
        body = renderer.render(success_body(data), "application/json", {})
        answers.append((body, (engine, arm, [item["movie"]["id"] for item in data])))
    return answers


def _movie_summaries(movie_ids: list[int]) -> dict[int, dict]:
    if not movie_ids:
        return {}
    movies = selectors.movies_for_summary(movie_ids=movie_ids)
    return {
        summary["id"]: summary
        for summary in MovieSummarySerializer(list(movies.values()), many=True).data
    }


def _item(row, movie: dict) -> dict:
    # RecommendationItemSerializer's fields, in its order and with its fields' types (a test
    # holds the two to the same bytes); the movie's summary is shared by the items showing it.
    return {
        "id": row.id,
        "movie": movie,
        "score": float(row.score),
        "engine": row.algorithm,
        "reason": row.reason.text,
    }


def served_answers_prepare(*, users: list[tuple[int, str, Arm | None]]) -> None:
    """Make and cache the default answer of each ``(user_id, engine, arm)`` from the user's
    stored list of ``engine`` (their default list), unless a current one is cached, with one
    cache round trip to read, one to store, and one query (and one for the genres) per engine
    for the lists. Does not count as the users' visit."""
    slots = [
        served_slot(user_id=user_id, engine=None, limit=DEFAULT_LIMIT) for user_id, _, _ in users
    ]
    read = versioned_get_many((slot.namespace, slot.parts, slot.depends_on) for slot in slots)
    if read is None:  # the cache is down: nothing could be stored either
        return
    missing = [
        (user, slot, version)
        for user, slot, (cached, version) in zip(users, slots, read[1], strict=True)
        if cached is MISSING
    ]
    by_engine: dict[str, list[int]] = {}
    for (user_id, engine, _), _, _ in missing:
        by_engine.setdefault(engine, []).append(user_id)
    rows = {
        (engine, user_id): user_rows
        for engine, user_ids in by_engine.items()
        for user_id, user_rows in selectors.recommendation_lists(
            user_ids=user_ids, engine=engine, limit=DEFAULT_LIMIT
        ).items()
    }
    made = served_answers(
        [(rows.get((engine, user_id), []), engine, arm) for (user_id, engine, arm), _, _ in missing]
    )
    versioned_set_many(
        [
            (slot.namespace, slot.parts, answer, version)
            for (_, slot, version), answer in zip(missing, made, strict=True)
        ],
        USER_RECS_TTL,
    )
