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

from apps.core.cache import MISSING, versioned_get, versioned_set
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


def served_answer_prepare(*, user_id: int, engine: str, arm: Arm | None) -> None:
    """Make and cache the user's default answer from their stored list of ``engine`` (their
    default list), unless a current one is cached. Does not count as the user's visit."""
    slot = served_slot(user_id=user_id, engine=None, limit=DEFAULT_LIMIT)
    cached, version = versioned_get(slot.namespace, slot.parts, depends_on=slot.depends_on)
    if cached is not MISSING:
        return
    rows = selectors.recommendation_list(user=user_id, engine=engine, limit=DEFAULT_LIMIT)
    body = served_answer(rows, engine=engine, arm=arm)
    versioned_set(slot.namespace, slot.parts, body, slot.ttl, version)
