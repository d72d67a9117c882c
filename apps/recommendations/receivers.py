"""Reactions to other apps' signals (connected in RecommendationsConfig.ready).

An interaction write (``interaction_changed``, sent inside the write's transaction) makes the
user's lists stale and their refresh due, in a statement of the write's transaction (the
change counter bumped, ``refresh_due_at`` set unless a refresh is already due; the state made
if the user has none), sent with the write's commit (apps.core.statements), and after the
commit schedules the drain that runs the due refreshes (services
``recommendations_refresh_drain_schedule``: one task for every user who wrote in the same
half second, and no round trip at all while this process's drain is on its way). The refresh
folds the new history into the engines (tens of milliseconds of CPU in the worker, on the
cores the web server needs), so the drain refreshes a user no sooner than
services.REFRESH_MIN_INTERVAL after their last refresh: the first write after a quiet spell is
folded in about REFRESH_COUNTDOWN later, and the writes that follow within the interval share
one refresh at its end.

The next read still reflects a write at once: a movie the user has now rated, liked,
disliked, favorited or watchlisted (the engines exclude those, training.EXCLUDING_TYPES)
leaves their served lists in the write's own transaction (its stored rows lose their rank,
as rows that left a list do; the next refresh deletes them or keeps them unranked when they
carry a click or feedback), and the cached answers are dropped once it commits. Only the
reordering of the rest waits for the refresh.
"""

from django.db import connection, transaction
from django.utils import timezone

from apps.core.cache import namespace_invalidate_on_commit
from apps.core.statements import execute_with_commit
from apps.recommendations.models import RecommendationState, UserRecommendation
from apps.recommendations.services import (
    recommendations_mark_stale,
    recommendations_refresh_drain_schedule,
)
from apps.recommendations.storing import user_namespace
from apps.recommendations.training import EXCLUDING_TYPES

_REMOVED = "removed"  # apps.interactions.services.effects.REMOVED (not imported: a signal kwarg)


def interaction_changed_receiver(
    sender,
    *,
    user_id: int,
    movie_id: int,
    interaction_type: str,
    action: str,
    applied_in_database: bool = False,
    **kwargs,
) -> None:
    """In the write's transaction: bump the user's change counter and make their refresh due
    (the lists are stale from the write's commit on), take a now-excluded movie out of their
    lists; after the commit, drop their cached answers and schedule the drain.
    ``applied_in_database``: the write's own database call already did the first two
    (interaction_changed_in_database, recommendations migration 0006)."""
    if not applied_in_database:
        _change_count_bump(
            user_id, movie_id=movie_id, interaction_type=interaction_type, action=action
        )
    # Their cached answers, dropped at commit with the other namespaces the write drops.
    namespace_invalidate_on_commit(user_namespace(user_id))
    transaction.on_commit(recommendations_refresh_drain_schedule, robust=True)


def _change_count_bump(user_id: int, *, movie_id: int, interaction_type: str, action: str) -> None:
    """Take the movie out of the user's lists when the change excludes it, and bump their
    change counter and make their refresh due (creating their state if they have none): sent
    with the write's commit on PostgreSQL, as one call of ``interaction_changed_in_database``
    (migration 0006: the same statements, planned once per database session); nothing reads
    their results."""
    due = connection.ops.adapt_datetimefield_value(timezone.now())
    removed = action == _REMOVED
    if connection.vendor == "postgresql":
        execute_with_commit(
            "SELECT interaction_changed_in_database(%s, %s, %s, %s, %s)",
            [user_id, movie_id, interaction_type, removed, due],
        )
        return
    quote = connection.ops.quote_name
    states = quote(RecommendationState._meta.db_table)
    # An upsert, so that a user without a state needs no second statement: the conflict
    # (their state made by a concurrent write or read) turns it into the bump.
    count, due_at = quote("change_count"), quote("refresh_due_at")
    bump = (
        f"INSERT INTO {states} ({quote('user_id')}, {count}, {quote('refreshed_count')}, "  # noqa: S608 - model's names
        f"{due_at}) VALUES (%s, 1, 0, %s) ON CONFLICT ({quote('user_id')}) DO UPDATE SET "
        f"{count} = {states}.{count} + 1, {due_at} = COALESCE({states}.{due_at}, %s)"
    )
    hide = (
        f"UPDATE {quote(UserRecommendation._meta.db_table)} SET {quote('rank')} = NULL "  # noqa: S608
        "WHERE user_id = %s AND movie_id = %s AND rank IS NOT NULL"
    )
    # The movie is hidden before the state is bumped, as a store of the user's lists takes
    # them (apps.recommendations.storing): the rows, then the state with its commit. Bumped
    # first, the state was held while the hide waited for a row the store had written, and
    # the store's commit waited for the state: a deadlock (issue 16).
    if not removed and interaction_type in EXCLUDING_TYPES:
        execute_with_commit(hide, [user_id, movie_id])
    execute_with_commit(bump, [user_id, due, due])


def favorite_genres_changed_receiver(sender, *, user_id: int, **kwargs) -> None:
    """Favorite genres shape cold-start lists and lift matching movies in the hybrid engine."""
    recommendations_mark_stale(user_id=user_id)
