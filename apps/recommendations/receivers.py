"""Reactions to other apps' signals (connected in RecommendationsConfig.ready).

An interaction write (``interaction_changed``, sent inside the write's transaction) makes the
user's lists stale and schedules their refresh, which folds the new history into the engines
(tens of milliseconds of CPU in the worker, on the cores the web server needs). A user who
keeps writing would otherwise get one refresh per write burst of REFRESH_COUNTDOWN (half a
second), so refreshes of one user caused by writes are spaced at least REFRESH_MIN_INTERVAL
apart: the first write after a quiet spell is folded in REFRESH_COUNTDOWN later, as before,
and the writes that follow within REFRESH_MIN_INTERVAL of that refresh share one refresh at
the end of the interval.

The next read still reflects a write at once: a movie the user has now rated, liked,
disliked, favorited or watchlisted (the engines exclude those, training.EXCLUDING_TYPES)
leaves their served lists in the write's own transaction (its stored rows lose their rank,
as rows that left a list do; the next refresh deletes them or keeps them unranked when they
carry a click or feedback), and the cached answers are dropped once it commits. Only the
reordering of the rest waits for the refresh.
"""

import time
from datetime import UTC, datetime

from django.db import connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from apps.core.cache import namespace_invalidate_on_commit
from apps.recommendations.models import RecommendationState, UserRecommendation
from apps.recommendations.services import (
    recommendations_mark_stale,
    recommendations_refresh_schedule,
)
from apps.recommendations.storing import user_namespace
from apps.recommendations.training import EXCLUDING_TYPES

REFRESH_MIN_INTERVAL = 20.0  # seconds between two write-driven refreshes of one user
# A refresh this process sent to the broker starts no sooner than its countdown and reads every
# write committed before it starts: until shortly before then this process's writes of that
# user need not ask Redis whether one is waiting (one round trip fewer for most writes).
REFRESH_MARGIN = 0.1
OWN_REFRESHES_KEPT = 10_000
_own_refresh_until: dict[int, float] = {}  # user id: monotonic time before their refresh

_REMOVED = "removed"  # apps.interactions.services.effects.REMOVED (not imported: a signal kwarg)


def interaction_changed_receiver(
    sender, *, user_id: int, movie_id: int, interaction_type: str, action: str, **kwargs
) -> None:
    """In the write's transaction: bump the user's change counter (the lists are stale from
    the write's commit on), take a now-excluded movie out of their lists; after the commit,
    drop their cached answers and schedule one refresh, no sooner than REFRESH_MIN_INTERVAL
    after the last one."""
    hide = action != _REMOVED and interaction_type in EXCLUDING_TYPES
    refreshed_at = _change_count_bump(user_id, hide_movie_id=movie_id if hide else None)
    countdown = 0.0
    if refreshed_at is not None:
        countdown = REFRESH_MIN_INTERVAL - (timezone.now() - refreshed_at).total_seconds()

    # Their cached answers, dropped at commit with the other namespaces the write drops.
    namespace_invalidate_on_commit(user_namespace(user_id))

    def after_commit() -> None:
        now = time.monotonic()
        if now < _own_refresh_until.get(user_id, 0.0):
            return  # this process's refresh of the user has not begun: it reads this write
        sent = recommendations_refresh_schedule(user_id=user_id, countdown=countdown)
        if sent is not None:
            if len(_own_refresh_until) >= OWN_REFRESHES_KEPT:
                _own_refresh_until.clear()
            _own_refresh_until[user_id] = now + sent - REFRESH_MARGIN

    transaction.on_commit(after_commit, robust=True)


def own_refreshes_forget() -> None:
    """Forget the refreshes this process sent to the broker (tests: the same reason as
    apps.interactions.services.counters.own_fold_forget)."""
    _own_refresh_until.clear()


def _change_count_bump(user_id: int, *, hide_movie_id: int | None = None) -> datetime | None:
    """Bump the user's change counter (creating their state if they have none) and take
    ``hide_movie_id`` out of their lists, in one statement on PostgreSQL; returns when their
    lists were last refreshed (None: never)."""
    quote = connection.ops.quote_name
    states = quote(RecommendationState._meta.db_table)
    bump = (
        f"UPDATE {states} SET change_count = change_count + 1 "  # noqa: S608 - model's name
        "WHERE user_id = %s RETURNING refreshed_at"
    )
    hide = (
        f"UPDATE {quote(UserRecommendation._meta.db_table)} SET {quote('rank')} = NULL "  # noqa: S608
        "WHERE user_id = %s AND movie_id = %s AND rank IS NOT NULL"
    )
    with connection.cursor() as cursor:
        if hide_movie_id is None:
            cursor.execute(bump, [user_id])
        elif connection.vendor == "postgresql":
            # A data-modifying WITH runs whether or not the outer statement reads it.
            cursor.execute(f"WITH hidden AS ({hide}) {bump}", [user_id, hide_movie_id, user_id])
        else:
            cursor.execute(hide, [user_id, hide_movie_id])
            cursor.execute(bump, [user_id])
        row = cursor.fetchone()
    if row is None:
        _, created = RecommendationState.objects.get_or_create(
            user_id=user_id, defaults={"change_count": 1}
        )
        if not created:  # made by a read's refresh in between
            return _change_count_bump(user_id)
        return None
    return _as_datetime(row[0])


def _as_datetime(value) -> datetime | None:
    """A timestamp read by plain SQL: aware on PostgreSQL, naive UTC (or text) on SQLite."""
    if value is None:
        return None
    parsed = value if isinstance(value, datetime) else parse_datetime(str(value))
    if parsed is not None and timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def favorite_genres_changed_receiver(sender, *, user_id: int, **kwargs) -> None:
    """Favorite genres shape cold-start lists and lift matching movies in the hybrid engine."""
    recommendations_mark_stale(user_id=user_id)
