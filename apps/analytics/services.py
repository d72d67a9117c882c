"""Recording analytics events. Failures are logged and swallowed: analytics never fails a user.

Who made the request (address, user agent, referer, request id) comes from a request context
(apps.core.context): the one apps.core.activity took when the event was reported (events reach
analytics after commit, through a signal), else the current one. Callers pass no HTTP request.
"""

import ipaddress
import logging

from django.db import transaction

from apps.analytics.models import UserActivityLog
from apps.analytics.tasks import user_activity_anonymise_task
from apps.core.context import RequestContext, request_context
from apps.core.logging import log_once
from apps.core.routers import analytics_alias
from apps.core.tasks import enqueue

logger = logging.getLogger(__name__)


def _address(value: str | None) -> str | None:
    """``value`` if it is an IP address (the column's type), else None."""
    try:
        return str(ipaddress.ip_address(value)) if value else None
    except ValueError:
        return None


def activity_record(
    *,
    action_type: str,
    user_id: int | None = None,
    movie_id: int | None = None,
    source: str = "web",
    metadata: dict | None = None,
    context: RequestContext | None = None,
) -> UserActivityLog | None:
    """Store one activity event; returns None (and logs once) if the analytics store failed.

    ``context`` is the request it belongs to (default: the current one)."""
    context = context or request_context()
    try:
        return UserActivityLog.objects.create(
            action_type=action_type[:30],
            user_id=user_id,
            movie_id=movie_id,
            session_id=(context.request_id or "")[:100],
            ip_address=_address(context.client_ip),
            user_agent=context.user_agent[:1000],
            referer=context.referer[:500] or None,
            source=source,
            metadata=metadata or {},
        )
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
