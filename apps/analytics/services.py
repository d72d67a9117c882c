"""Writes of the analytics app outside the request path: one event stored at once, a deleted
user's activity detached. Failures are logged and swallowed: analytics never fails a user.

Requests record events through apps.analytics.recording (buffered, written in batches).
"""

import logging

from django.db import transaction

from apps.analytics.models import UserActivityLog
from apps.analytics.recording import activity_entry, activity_row, session_key
from apps.analytics.sessions import sessions_assign
from apps.analytics.tasks import user_activity_anonymise_task
from apps.core.context import RequestContext
from apps.core.logging import log_once
from apps.core.routers import analytics_alias
from apps.core.tasks import enqueue

logger = logging.getLogger(__name__)


def activity_record(
    *,
    action_type: str,
    user_id: int | None = None,
    movie_id: int | None = None,
    source: str = "web",
    metadata: dict | None = None,
    context: RequestContext | None = None,
) -> UserActivityLog | None:
    """Store one activity event now, bypassing the buffer (commands and scripts; requests go
    through apps.analytics.recording). Returns None (and logs once) if the store failed.

    ``context`` is the request it belongs to (default: the current one)."""
    entry = activity_entry(
        action_type=action_type,
        user_id=user_id,
        movie_id=movie_id,
        source=source,
        metadata=metadata,
        context=context,
    )
    try:
        sessions_assign([entry], key=session_key)
        row = activity_row(entry)
        row.save(using=analytics_alias(), force_insert=True)
        return row
    except Exception as exc:  # noqa: BLE001
        log_once(logger, "activity_record_failed", "activity_record_failed", error=str(exc))
        return None


def activity_anonymise_user(*, user_id: int) -> int:
    """Detach a deleted user's activity (the seed's ON DELETE SET NULL, across databases)."""
    with transaction.atomic(using=analytics_alias()):
        return UserActivityLog.objects.filter(user_id=user_id).update(user_id=None)


def user_activity_anonymise(*, user_id: int) -> None:
    """Detach the user's analytics rows; if the analytics store fails, retry in the background."""
    try:
        activity_anonymise_user(user_id=user_id)
    except Exception as exc:  # noqa: BLE001 - the account is already gone; retry later
        logger.warning("activity_anonymise_failed", extra={"user_id": user_id, "error": str(exc)})
        enqueue(user_activity_anonymise_task, user_id)
