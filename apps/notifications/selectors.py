"""Reads for the inbox and the devices."""

from django.db.models import QuerySet

from apps.core.outbox.models import NotificationLog
from apps.notifications.models import UserDevice

INBOX_FIELDS = ("id", "kind", "subject", "content", "context", "read_at", "created_at", "user_id")


def inbox(*, user, unread: bool | None = None) -> QuerySet[NotificationLog]:
    """The user's in-app messages, newest first."""
    rows = NotificationLog.objects.filter(
        user=user,
        notification_type=NotificationLog.Channel.IN_APP,
        status__in=(
            NotificationLog.Status.DELIVERED,
            NotificationLog.Status.OPENED,
            NotificationLog.Status.CLICKED,
        ),
    )
    if unread is not None:
        rows = rows.filter(read_at__isnull=unread)
    return rows.only(*INBOX_FIELDS).order_by("-created_at", "-id")


def inbox_unread_count(*, user) -> int:
    return inbox(user=user, unread=True).count()


def devices(*, user) -> QuerySet[UserDevice]:
    return UserDevice.objects.filter(user=user).order_by("-last_used_at", "-id")
