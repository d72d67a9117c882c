"""Opens and clicks: the log records the first of each, and the analytics events
``email_open``, ``email_click`` and ``push_click`` are reported through apps.core.activity
(the analytics app listens; this app does not import it)."""

from django.db.models import Case, F, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from apps.core.activity import activity_emit_on_commit
from apps.core.outbox.models import NotificationLog

Status = NotificationLog.Status
OPENABLE = (Status.SENT, Status.DELIVERED)


def _emit(event: str, log: NotificationLog, **metadata) -> None:
    activity_emit_on_commit(
        event=event,
        user_id=log.user_id,
        metadata={"notification_id": log.pk, "kind": log.kind, **metadata},
        source="push" if log.notification_type == NotificationLog.Channel.PUSH else "email",
    )


def log_opened(*, log_id: int) -> bool:
    """Record that the message was opened (the first time counts); False if it is unknown."""
    log = (
        NotificationLog.objects.filter(pk=log_id)
        .only("pk", "user_id", "kind", "notification_type")
        .first()
    )
    if log is None:
        return False
    first = NotificationLog.objects.filter(pk=log_id, opened_at__isnull=True).update(
        opened_at=timezone.now(),
        status=Case(When(status__in=OPENABLE, then=Value(Status.OPENED)), default=F("status")),
    )
    if first:
        _emit("email_open", log)
    return True


def log_clicked(*, log_id: int, url: str) -> bool:
    """Record that a link of the message was followed (a click implies an open); the first
    click is reported. False if the message is unknown."""
    log = (
        NotificationLog.objects.filter(pk=log_id)
        .only("pk", "user_id", "kind", "notification_type")
        .first()
    )
    if log is None:
        return False
    now = timezone.now()
    first = NotificationLog.objects.filter(pk=log_id, clicked_at__isnull=True).update(
        clicked_at=now,
        opened_at=Coalesce(F("opened_at"), Value(now)),
        status=Case(
            When(status__in=(*OPENABLE, Status.OPENED), then=Value(Status.CLICKED)),
            default=F("status"),
        ),
    )
    if first:
        event = (
            "push_click" if log.notification_type == NotificationLog.Channel.PUSH else "email_click"
        )
        _emit(event, log, url=url)
    return True
