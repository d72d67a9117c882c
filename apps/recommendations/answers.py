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
"""

from apps.core.cache import MISSING, versioned_get_many, versioned_set_many
from apps.core.envelope import success_body
from apps.core.fastpath import UserSlot
from apps.core.renderers import EnvelopeJSONRenderer
from apps.recommendations import selectors
from apps.recommendations.experiments import EXPERIMENTS_NAMESPACE, Arm
from apps.recommendations.registry import ACTIVE_NAMESPACE
from apps.recommendations.serializers import RecommendationItemSerializer
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
    """The answer's bytes for these stored rows, with what serving it records (the engine, the
    experiment arm and the movies shown)."""
    data = RecommendationItemSerializer(rows, many=True).data
    body = EnvelopeJSONRenderer().render(success_body(data), "application/json", {})
    return body, (engine, arm, [item["movie"]["id"] for item in data])


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
    versioned_set_many(
        [
            (
                slot.namespace,
                slot.parts,
                served_answer(rows.get((engine, user_id), []), engine=engine, arm=arm),
                version,
            )
            for (user_id, engine, arm), slot, version in missing
        ],
        USER_RECS_TTL,
    )
