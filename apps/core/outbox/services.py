"""Writing messages to the outbox and sending them.

A message is a row written in the caller's transaction (``outbox_add``); after commit a task
sends it (``outbox_send``); ``outbox_flush`` sends whatever is due and still pending, so a lost
task, a broker outage or a mail server outage delays a message and never loses it.

Exactly one sender sends a row: a sender first claims it with one conditional UPDATE (pending,
due, not claimed by someone else), and only the sender whose UPDATE matched goes on. A claim
lasts OUTBOX_CLAIM_SECONDS; a sender that dies holding one leaves the row to be claimed again
after that, so a message can be sent twice only if a process dies between handing it over and
recording that it did (at least once, never lost). Each claim counts as an attempt; a failure
waits OUTBOX_RETRY_BASE_SECONDS * 2 ** (attempts - 1) before the next, and the row ends
``failed`` with the error after OUTBOX_MAX_ATTEMPTS.
"""

import logging
from collections import Counter
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from apps.core.outbox.models import NotificationLog
from apps.core.outbox.registry import PermanentFailure, Rendered, renderer_for, sender_for
from apps.core.tasks import enqueue, enqueue_on_commit

logger = logging.getLogger(__name__)

Status = NotificationLog.Status
Channel = NotificationLog.Channel
REDACTED = "[redacted]"
# A retry further away than this is left to outbox_flush (beat), not to a delayed task: Redis
# redelivers a task not started within its visibility timeout.
TASK_COUNTDOWN_MAX_SECONDS = 600


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def claim_seconds() -> int:
    return _setting("OUTBOX_CLAIM_SECONDS", 300)


def max_attempts() -> int:
    return _setting("OUTBOX_MAX_ATTEMPTS", 6)


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed attempt."""
    base = _setting("OUTBOX_RETRY_BASE_SECONDS", 60)
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 6 * 3600))


def outbox_add(
    *,
    kind: str,
    channel: str,
    key: str,
    recipient: str = "",
    user_id: int | None = None,
    context: dict | None = None,
    template_name: str = "",
    send_after: datetime | None = None,
) -> NotificationLog | None:
    """Write one message in the current transaction; it is sent once that commits.

    ``key`` identifies the message (``weekly_digest:email:<user>:<week>``): a second message
    with the same key is not written and None is returned, also when two writers race (the
    unique index decides). An in-app message is rendered at once and is delivered when written.
    """
    now = timezone.now()
    try:
        with transaction.atomic():
            log = NotificationLog.objects.create(
                kind=kind,
                notification_type=channel,
                idempotency_key=key,
                recipient=recipient[:500],
                user_id=user_id,
                context=context or {},
                template_name=template_name,
                next_attempt_at=send_after or now,
            )
            if channel == Channel.IN_APP:
                _in_app_deliver(log)
    except IntegrityError:
        if NotificationLog.objects.filter(idempotency_key=key).exists():
            return None
        raise
    if log.status == Status.PENDING:
        delay = (log.next_attempt_at - now).total_seconds()
        if delay <= 0:
            enqueue_on_commit(_send_task(), log.pk)
        elif delay <= TASK_COUNTDOWN_MAX_SECONDS:
            enqueue_on_commit(_send_task(), log.pk, countdown=delay)
    return log


def _send_task():
    from apps.core.outbox.tasks import outbox_send_task

    return outbox_send_task


def _in_app_deliver(log: NotificationLog) -> None:
    """Render an in-app message as it is written; a renderer's failure fails the message (with
    the error), never the event that wrote it."""
    renderer = renderer_for(log.kind)
    now = timezone.now()
    try:
        if renderer is None:
            raise PermanentFailure(f"no renderer for the kind {log.kind!r}")
        rendered = renderer(log)
    except Exception as exc:  # noqa: BLE001 - a broken template must not fail the event
        log.status, log.error_message = Status.FAILED, f"{type(exc).__name__}: {exc}"[:2000]
        logger.warning("outbox_in_app_failed", extra={"kind": log.kind, "error": str(exc)})
    else:
        if rendered is None:
            log.status = Status.SKIPPED
        else:
            _fill(log, rendered)
            log.status, log.sent_at, log.delivered_at = Status.DELIVERED, now, now
    log.save()


def _fill(log: NotificationLog, rendered: Rendered) -> None:
    text = rendered.text
    for secret in rendered.secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    log.subject = rendered.subject[:200]
    log.content = text
    if rendered.recipient is not None:
        log.recipient = rendered.recipient[:500]
    if rendered.user_id is not None:
        log.user_id = rendered.user_id
    if rendered.template_name is not None:
        log.template_name = rendered.template_name[:100]


def _claim(log_id: int, now: datetime) -> datetime | None:
    lease = now + timedelta(seconds=claim_seconds())
    claimed = (
        NotificationLog.objects.filter(pk=log_id, status=Status.PENDING, next_attempt_at__lte=now)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(claimed_until=lease, attempts=F("attempts") + 1)
    )
    return lease if claimed else None


def outbox_send(*, log_id: int) -> str | None:
    """Send one due, pending message; returns its new status, or None if it was not this
    caller's to send (not due, already sent, or claimed by another sender)."""
    now = timezone.now()
    lease = _claim(log_id, now)
    if lease is None:
        return None
    log = NotificationLog.objects.get(pk=log_id)
    mine = NotificationLog.objects.filter(pk=log_id, claimed_until=lease)
    renderer, sender = renderer_for(log.kind), sender_for(log.notification_type)
    try:
        if renderer is None:
            raise PermanentFailure(f"no renderer for the kind {log.kind!r}")
        if sender is None:
            raise PermanentFailure(f"no sender for the channel {log.notification_type!r}")
        rendered = renderer(log)
        if rendered is None:
            mine.update(status=Status.SKIPPED, claimed_until=None)
            return Status.SKIPPED
        external_id = sender(log, rendered)
    except PermanentFailure as exc:
        return _failed(log, mine, str(exc))
    except Exception as exc:  # noqa: BLE001 - any other failure is retried, then recorded
        return _retry_or_fail(log, mine, f"{type(exc).__name__}: {exc}")
    _fill(log, rendered)
    done = timezone.now()
    status = Status.DELIVERED if log.notification_type == Channel.IN_APP else Status.SENT
    mine.update(
        status=status,
        subject=log.subject,
        content=log.content,
        recipient=log.recipient,
        user_id=log.user_id,
        template_name=log.template_name,
        external_id=(external_id or None) and str(external_id)[:100],
        error_message="",
        sent_at=done,
        delivered_at=done if status == Status.DELIVERED else None,
        claimed_until=None,
    )
    return status


def _failed(log: NotificationLog, mine, error: str) -> str:
    logger.warning("outbox_send_failed", extra={"log_id": log.pk, "kind": log.kind, "error": error})
    mine.update(status=Status.FAILED, error_message=error[:2000], claimed_until=None)
    return Status.FAILED


def _retry_or_fail(log: NotificationLog, mine, error: str) -> str:
    attempts = log.attempts  # read after the claim counted this one
    if attempts >= max_attempts():
        return _failed(log, mine, error)
    delay = retry_delay(attempts)
    logger.warning(
        "outbox_send_retry",
        extra={"log_id": log.pk, "kind": log.kind, "attempts": attempts, "error": error},
    )
    mine.update(
        error_message=error[:2000], next_attempt_at=timezone.now() + delay, claimed_until=None
    )
    if delay.total_seconds() <= TASK_COUNTDOWN_MAX_SECONDS and not _eager():
        enqueue(_send_task(), log.pk, countdown=delay.total_seconds())
    return Status.PENDING


def _eager() -> bool:
    return bool(getattr(_send_task().app.conf, "task_always_eager", False))


def outbox_due_ids(*, limit: int, now: datetime | None = None) -> list[int]:
    """Ids of pending messages that are due and claimed by nobody, oldest due first."""
    now = now or timezone.now()
    return list(
        NotificationLog.objects.filter(status=Status.PENDING, next_attempt_at__lte=now)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def outbox_flush(*, batch: int = 200, limit: int | None = None) -> Counter:
    """Send every message that is due now, in batches; returns how many ended in each status.

    A message that fails again is due later, so one flush never loops on it.
    """
    outcomes: Counter = Counter()
    started = timezone.now()
    seen: set[int] = set()
    while limit is None or sum(outcomes.values()) < limit:
        ids = [i for i in outbox_due_ids(limit=batch, now=started) if i not in seen]
        if not ids:
            break
        for log_id in ids:
            seen.add(log_id)
            outcome = outbox_send(log_id=log_id)
            outcomes[outcome or "not_claimed"] += 1
    return outcomes
