"""What every interaction write does besides its rows: the signal (in the write's transaction,
signals.py), then after commit the activity event and cache drops.

The after-commit work runs in ``transaction.on_commit`` callbacks registered as robust, so a
failure there is logged and never turns a committed write into an error response.
"""

from apps.catalog.cache import movie_namespace, user_movies_namespace
from apps.core.activity import activity_emit_on_commit
from apps.core.cache import namespace_invalidate_on_commit
from apps.core.signals import signal_send_robust
from apps.interactions.models import Interaction, InteractionSource
from apps.interactions.signals import interaction_changed

ADDED = "added"
UPDATED = "updated"
REMOVED = "removed"

# Analytics action names (seed 002 section 5.1 names where it has one).
_ACTIVITY_NAMES = {
    ("view", ADDED): "movie_view",
    ("view", UPDATED): "movie_view",
    ("share", ADDED): "movie_share",
    ("share", UPDATED): "movie_share",
    ("rating", ADDED): "rating_submit",
    ("rating", UPDATED): "rating_submit",
}
_VERBS = {ADDED: "add", UPDATED: "update", REMOVED: "remove"}


def activity_name(interaction_type: str, action: str) -> str:
    return _ACTIVITY_NAMES.get((interaction_type, action), f"{interaction_type}_{_VERBS[action]}")


def interaction_effects_on_commit(
    *,
    user_id: int,
    movie_id: int,
    interaction_type: str,
    action: str,
    aggregates_changed: bool = False,
    source: str = InteractionSource.WEB,
    metadata: dict | None = None,
    applied_in_database: bool = False,
) -> None:
    """Send ``interaction_changed`` (call inside the write's transaction) and register the
    after-commit side effects of one interaction change; ``aggregates_changed``
    drops the movie's cached details (the counted changes of the write services leave that to
    the counters' fold, services.counters). ``applied_in_database``: the change was made by a
    database function that also ran the receivers' database side (signals.py)."""
    activity_emit_on_commit(
        event=activity_name(interaction_type, action),
        user_id=user_id,
        movie_id=movie_id,
        source=source,
        metadata={"interaction_type": interaction_type, "action": action, **(metadata or {})},
    )
    # In the write's transaction (signals.py): the receivers' writes commit with it.
    signal_send_robust(
        interaction_changed,
        sender=Interaction,
        user_id=user_id,
        movie_id=movie_id,
        interaction_type=interaction_type,
        action=action,
        applied_in_database=applied_in_database,
    )
    # The user's cached state on movies and favorites pages (apps.core.fastpath), dropped at
    # commit in the same round trip as the other namespaces the write drops.
    namespace_invalidate_on_commit(user_movies_namespace(user_id))
    if aggregates_changed:
        namespace_invalidate_on_commit(movie_namespace(movie_id))


def movie_details_invalidate_on_commit(movie_ids) -> None:
    """Drop the cached details of these movies once the transaction commits (together)."""
    for movie_id in movie_ids:
        namespace_invalidate_on_commit(movie_namespace(movie_id))
