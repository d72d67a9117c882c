"""Recording analytics events. Failures are logged and swallowed: analytics never fails a user."""

import logging

from django.db import transaction

from apps.analytics.models import UserActivityLog
from apps.analytics.tasks import user_activity_anonymise_task
from apps.core.logging import log_once
from apps.core.routers import analytics_alias
from apps.core.tasks import enqueue

logger = logging.getLogger(__name__)


def _client_ip(request) -> str | None:
    if request is None:
        return None
    from rest_framework.settings import api_settings

    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    proxies = api_settings.NUM_PROXIES
    if forwarded and proxies:
        addresses = [part.strip() for part in forwarded.split(",") if part.strip()]
        if addresses:
            return addresses[-min(proxies, len(addresses))]
    return request.META.get("REMOTE_ADDR")


def activity_record(
    *,
    action_type: str,
    user_id: int | None = None,
    movie_id: int | None = None,
    request=None,
    source: str = "web",
    metadata: dict | None = None,
) -> UserActivityLog | None:
    """Store one activity event; returns None (and logs once) if the analytics store failed."""
    try:
        return UserActivityLog.objects.create(
            action_type=action_type[:30],
            user_id=user_id,
            movie_id=movie_id,
            session_id=(getattr(request, "request_id", "") or "")[:100] if request else "",
            ip_address=_client_ip(request),
            user_agent=(request.META.get("HTTP_USER_AGENT", "")[:1000] if request else ""),
            referer=(request.META.get("HTTP_REFERER") or None)
            and request.META["HTTP_REFERER"][:500]
            if request
            else None,
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
