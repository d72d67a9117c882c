"""Recording activity events: appended to a buffer on the request, written in batches later.

``activity_enqueue`` is all a request pays: one small JSON entry appended to the events buffer
(apps.analytics.buffer; with Redis, to this process's pending entries, sent together by one
RPUSH every ANALYTICS_PUSH_BATCH_MS). ``activity_flush`` (the ``analytics.
activity_flush`` task, beat every ANALYTICS_FLUSH_SECONDS) takes up to ANALYTICS_BATCH_SIZE
entries at a time, gives each its session id (apps.analytics.sessions), encrypts the client's
address (apps.analytics.privacy) and writes the batch with one bulk INSERT.

Failures never reach the request, and none is silent: an entry that cannot be appended, a
batch that cannot be written (it is put back for the next flush), entries dropped because the
buffer passed ANALYTICS_BUFFER_MAX during an outage: each is logged once a minute
(``log_once``) and counted in /metrics (``analytics_activity_write_failures_total`` by stage,
``analytics_activity_dropped_total``).
"""

import json
import logging
import time
from datetime import UTC, datetime

from django.conf import settings
from prometheus_client import Counter

from apps.analytics.buffer import DROPPED, MemoryBuffer, buffer
from apps.analytics.models import UserActivityLog
from apps.analytics.privacy import client_key, ip_encrypt
from apps.analytics.sessions import sessions_assign
from apps.core.context import RequestContext, request_context
from apps.core.logging import log_once
from apps.core.routers import analytics_alias

logger = logging.getLogger(__name__)

WRITE_FAILURES = Counter(
    "analytics_activity_write_failures",
    "Activity events that could not be buffered or written, by stage (buffer, write)",
    ["stage"],
)
WRITTEN = Counter("analytics_activity_written", "Activity events written to the activity log")


def activity_enqueue(
    *,
    action_type: str,
    user_id: int | None = None,
    movie_id: int | None = None,
    source: str = "web",
    metadata: dict | None = None,
    context: RequestContext | None = None,
) -> bool:
    """Append one event to the buffer; False (logged once, counted) if the buffer failed."""
    entry = activity_entry(
        action_type=action_type,
        user_id=user_id,
        movie_id=movie_id,
        source=source,
        metadata=metadata,
        context=context,
    )
    target = buffer("events")
    try:
        target.push(json.dumps(entry, default=str, separators=(",", ":")).encode())
    except Exception as exc:  # noqa: BLE001 - recording never fails a request
        WRITE_FAILURES.labels(stage="buffer").inc()
        log_once(logger, "activity_buffer_failed", "activity_buffer_failed", error=str(exc))
        return False
    if isinstance(target, MemoryBuffer) and settings.ANALYTICS_MEMORY_AUTOFLUSH:
        due = time.monotonic() - target.last_taken >= settings.ANALYTICS_FLUSH_SECONDS
        if due or target.size() >= settings.ANALYTICS_BATCH_SIZE:
            activity_flush()
    return True


def activity_entry(
    *,
    action_type: str,
    user_id: int | None,
    movie_id: int | None,
    source: str,
    metadata: dict | None,
    context: RequestContext | None,
) -> dict:
    """The buffered form of one event: what happened, when, and who asked (from the request
    context the event was reported in)."""
    context = context or request_context()
    return {
        "a": action_type[:30],
        "u": user_id,
        "m": movie_id,
        "s": (source or "web")[:30],
        "md": metadata or {},
        "t": time.time(),
        "ip": context.client_ip,
        "ua": context.user_agent[:1000],
        "r": context.referer[:500],
        "sid": context.session_id,
    }


def activity_row(entry: dict) -> UserActivityLog:
    """The activity log row of a buffered entry that has its session id."""
    return UserActivityLog(
        user_id=entry.get("u"),
        movie_id=entry.get("m"),
        action_type=entry["a"],
        source=entry.get("s") or "web",
        metadata=entry.get("md") or {},
        timestamp=datetime.fromtimestamp(entry["t"], UTC),
        ip_address=ip_encrypt(entry.get("ip")),
        user_agent=entry.get("ua") or "",
        referer=entry.get("r") or None,
        session_id=entry["session"],
    )


def _parse(entries: list[bytes]) -> list[dict]:
    parsed = []
    for raw in entries:
        try:
            entry = json.loads(raw)
            if isinstance(entry, dict) and entry.get("a") and isinstance(entry.get("t"), float):
                parsed.append(entry)
                continue
        except ValueError:
            pass
        DROPPED.inc()
        log_once(logger, "activity_entry_unreadable", "activity_entry_unreadable")
    return parsed


def activity_flush(*, max_batches: int | None = None) -> int:
    """Write what the events buffer holds, a batch at a time; returns the events written.

    A batch that fails to write goes back to the front of the buffer and the flush stops
    (the next one retries); the buffer is then cut to ANALYTICS_BUFFER_MAX, oldest first.
    """
    target = buffer("events")
    batch_size = settings.ANALYTICS_BATCH_SIZE
    written = 0
    batches = max_batches or settings.ANALYTICS_FLUSH_MAX_BATCHES
    for _ in range(batches):
        try:
            entries = target.take(batch_size)
        except Exception as exc:  # noqa: BLE001 - the buffer is down: nothing to write now
            WRITE_FAILURES.labels(stage="buffer").inc()
            log_once(logger, "activity_buffer_failed", "activity_buffer_failed", error=str(exc))
            break
        if not entries:
            break
        parsed = _parse(entries)
        try:
            sessions_assign(parsed, key=session_key)
            rows = [activity_row(entry) for entry in parsed]
            activity_rows_write(rows)
        except Exception as exc:  # noqa: BLE001 - keep the batch for the next flush
            WRITE_FAILURES.labels(stage="write").inc(len(entries))
            log_once(logger, "activity_write_failed", "activity_write_failed", error=str(exc))
            _give_back(target, entries)
            break
        written += len(rows)
        WRITTEN.inc(len(rows))
    return written


def activity_rows_write(rows: list[UserActivityLog]) -> None:
    """One INSERT for the batch, into the analytics database."""
    UserActivityLog.objects.using(analytics_alias()).bulk_create(rows)


def _give_back(target, entries: list[bytes]) -> None:
    try:
        target.give_back(entries)
        dropped = target.trim(settings.ANALYTICS_BUFFER_MAX)
    except Exception as exc:  # noqa: BLE001
        dropped = len(entries)
        log_once(logger, "activity_buffer_failed", "activity_buffer_failed", error=str(exc))
    if dropped:
        DROPPED.inc(dropped)
        log_once(logger, "activity_dropped", "activity_dropped", count=dropped)


def session_key(entry: dict) -> str:
    return client_key(
        user_id=entry.get("u"), client_ip=entry.get("ip"), user_agent=entry.get("ua") or ""
    )
