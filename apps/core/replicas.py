"""Whether a read replica may serve reads, and which users must read from the primary.

Replica health. A replica is usable while it answers and its replay lags the primary by at most
DATABASE_REPLICA_MAX_LAG_SECONDS. The lag is measured cheaply: the primary's current WAL
position against the replica's replayed position; equal positions mean no lag whatever the
clock says (an idle primary writes nothing), and otherwise the lag is the time since the
replica replayed its last transaction (so a replica whose replay is paused, or that lost its
connection to the primary while the primary kept writing, is seen to fall behind). Each process
computes the verdict at most once per DATABASE_REPLICA_CHECK_SECONDS; while one thread checks,
the others use the previous verdict. A connection error on a replica marks it down at once
(``replica_failed``, wired to every replica connection by ``install_failure_watch``).

A safe request that a replica failed under is answered again from the primary
(``request_failures_watch``, used by apps.core.middleware.ReplicaRetryMiddleware).

Recent writers. A request that wrote leaves ``db:rw:<user id>`` in the cache for
DATABASE_READ_YOUR_WRITES_SECONDS; the router sends that user's reads to the primary while it
is there. A cache outage loses the markers: reads then go to replicas that are at most
DATABASE_REPLICA_MAX_LAG_SECONDS behind.
"""

import contextlib
import logging
import threading
import time
from contextvars import ContextVar, Token
from dataclasses import dataclass

from django.conf import settings
from django.db import connections
from django.db.utils import DatabaseError, InterfaceError, OperationalError

from apps.core.cache import cache_get, cache_set_many
from apps.core.logging import log_once

logger = logging.getLogger(__name__)

LAG_SQL = (
    "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text, "
    "EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())"
)


@dataclass
class Verdict:
    usable: bool
    lag_seconds: float | None
    checked_at: float
    reason: str = ""


_verdicts: dict[str, Verdict] = {}
# The replicas that failed under the current request, while a middleware watches for them.
_failed_here: ContextVar[list[str] | None] = ContextVar("replicas_failed_here", default=None)
_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def _lsn(text: str | None) -> int | None:
    if not text:
        return None
    high, _, low = text.partition("/")
    return (int(high, 16) << 32) + int(low, 16)


def replica_lag(alias: str) -> float:
    """Seconds ``alias`` lags the primary (0 when it has replayed everything the primary has).

    Raises DatabaseError when either database cannot answer.
    """
    with connections[alias].cursor() as cursor:
        cursor.execute(LAG_SQL)
        in_recovery, replayed, since_last_replay = cursor.fetchone()
    if not in_recovery:
        return 0.0  # not a standby (tests point the replica alias at the primary)
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        current = cursor.fetchone()[0]
    if _lsn(replayed) is not None and _lsn(replayed) >= _lsn(current):
        return 0.0
    return float(since_last_replay) if since_last_replay is not None else float("inf")


def _check(alias: str) -> Verdict:
    now = time.monotonic()
    if connections[alias].vendor != "postgresql":
        return Verdict(True, 0.0, now)
    try:
        lag = replica_lag(alias)
    except DatabaseError as exc:
        log_once(
            logger, f"replica_down:{alias}", "replica_unavailable", alias=alias, error=str(exc)
        )
        _close_quietly(alias)
        return Verdict(False, None, now, "unavailable")
    if lag > settings.DATABASE_REPLICA_MAX_LAG_SECONDS:
        log_once(logger, f"replica_lagging:{alias}", "replica_lagging", alias=alias, lag=lag)
        return Verdict(False, lag, now, "lagging")
    return Verdict(True, lag, now)


def _close_quietly(alias: str) -> None:
    with contextlib.suppress(DatabaseError):
        connections[alias].close()


def _lock_for(alias: str) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(alias, threading.Lock())


def replica_usable(alias: str) -> bool:
    """The cached verdict on ``alias``, refreshed when older than the check interval."""
    verdict = _verdicts.get(alias)
    interval = settings.DATABASE_REPLICA_CHECK_SECONDS
    if verdict is not None and time.monotonic() - verdict.checked_at < interval:
        return verdict.usable
    lock = _lock_for(alias)
    if not lock.acquire(blocking=verdict is None):
        return verdict.usable  # another thread is checking: use the previous verdict
    try:
        verdict = _verdicts.get(alias)
        if verdict is None or time.monotonic() - verdict.checked_at >= interval:
            verdict = _verdicts[alias] = _check(alias)
        return verdict.usable
    finally:
        lock.release()


def replica_status(alias: str) -> Verdict:
    """The current verdict on ``alias`` (checked now if there is none yet)."""
    replica_usable(alias)
    return _verdicts[alias]


def replica_failed(alias: str, error: Exception) -> None:
    """A query on ``alias`` failed to reach it: skip it until the next check."""
    log_once(logger, f"replica_down:{alias}", "replica_unavailable", alias=alias, error=str(error))
    _verdicts[alias] = Verdict(False, None, time.monotonic(), "unavailable")
    failed_here = _failed_here.get()
    if failed_here is not None:
        failed_here.append(alias)


def request_failures_watch() -> Token:
    """Note the replicas that fail under the current request from now on, until
    ``request_failures_unwatch``."""
    return _failed_here.set([])


def request_failures_seen() -> list[str]:
    """The replicas that failed under the current request since it began watching."""
    return list(_failed_here.get() or [])


def request_failures_unwatch(token: Token) -> None:
    _failed_here.reset(token)


def verdicts_reset() -> None:
    """Forget every verdict (tests; a process that must check again at once)."""
    _verdicts.clear()


def install_failure_watch(sender, connection, **kwargs) -> None:
    """``connection_created`` receiver: a replica connection whose query cannot reach the
    server marks the replica down for this process."""
    if connection.alias not in getattr(settings, "DATABASE_REPLICAS", []):
        return
    if any(getattr(wrapper, "replica_watch", False) for wrapper in connection.execute_wrappers):
        return  # the signal fires again on every reconnection of the same connection object

    def watch(execute, sql, params, many, context):
        try:
            return execute(sql, params, many, context)
        except (OperationalError, InterfaceError) as exc:
            replica_failed(connection.alias, exc)
            raise

    watch.replica_watch = True
    connection.execute_wrappers.append(watch)


def recent_writer_key(user_id) -> str:
    """The cache key of ``user_id``'s recent-writer mark (a caller that reads other keys of the
    user anyway may read it with them and hand the answer to ``request_user_bind``)."""
    return f"db:rw:{user_id}"


def recent_writers_mark(user_ids) -> None:
    """These users read from the primary for the next DATABASE_READ_YOUR_WRITES_SECONDS."""
    if user_ids:
        seconds = settings.DATABASE_READ_YOUR_WRITES_SECONDS
        cache_set_many({recent_writer_key(user_id): 1 for user_id in user_ids}, seconds)


def recent_writer_marks(user_ids) -> dict[str, tuple[int, float]]:
    """The marks ``recent_writers_mark`` sets, as ``{key: (value, ttl seconds)}``, for a commit
    to send with its invalidations (apps.core.routers)."""
    seconds = settings.DATABASE_READ_YOUR_WRITES_SECONDS
    return {recent_writer_key(user_id): (1, seconds) for user_id in user_ids}


def recent_writer(user_id) -> bool:
    return cache_get(recent_writer_key(user_id)) is not None
