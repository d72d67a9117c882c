"""The durable outbox (apps/core/outbox): written with the event, sent once, retried with
back-off, never lost when the broker or the mail server is down."""

import threading
from datetime import timedelta

import pytest
from celery import Celery
from django.core import mail
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from apps.accounts.tests.factories import UserFactory
from apps.accounts.tests.helpers import PASSWORD
from apps.core.outbox.models import NotificationLog
from apps.core.outbox.registry import PermanentFailure, Rendered, channel_sender, kind_renderer
from apps.core.outbox.services import outbox_add, outbox_flush, outbox_send, retry_delay
from apps.core.outbox.tasks import outbox_send_task
from apps.core.tasks import broker_backoff_reset
from apps.core.testing import email_parts, free_port, postgres_only

pytestmark = pytest.mark.django_db
Status = NotificationLog.Status


@kind_renderer("test_note")
def _note(log):
    if log.context.get("skip"):
        return None
    return Rendered(
        subject=f"Note {log.context.get('n', 0)}",
        text=f"Text of note {log.context.get('n', 0)} with secret-{log.pk}",
        html="<p>note</p>",
        secrets=[f"secret-{log.pk}"],
    )


_test_channel_calls: list[int] = []


@channel_sender("test_channel")
def _test_channel(log, rendered):
    _test_channel_calls.append(log.pk)
    if log.context.get("gone"):
        raise PermanentFailure("device gone")
    return f"ext-{log.pk}"


def add_note(key="note:1", **context):
    return outbox_add(
        kind="test_note",
        channel="email",
        key=key,
        recipient="reader@example.com",
        context=context,
    )


def test_a_message_is_sent_after_commit_and_only_then(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        log = add_note(n=1)
    assert mail.outbox == []
    assert NotificationLog.objects.get(pk=log.pk).status == Status.PENDING

    for callback in callbacks:
        callback()

    log.refresh_from_db()
    assert (log.status, log.attempts, log.subject) == (Status.SENT, 1, "Note 1")
    assert [message.subject for message in mail.outbox] == ["Note 1"]
    assert log.content == "Text of note 1 with [redacted]"
    assert log.sent_at is not None and log.external_id


def test_a_rolled_back_event_leaves_no_message(django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        add_note()
        raise RuntimeError("the event failed")

    assert not NotificationLog.objects.exists()
    assert mail.outbox == []


def test_a_second_message_with_the_same_key_is_not_written(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = add_note(key="digest:7:2026-W49")
        second = add_note(key="digest:7:2026-W49")

    assert first is not None and second is None
    assert NotificationLog.objects.count() == 1
    assert len(mail.outbox) == 1


def test_a_row_is_sent_by_one_sender_only():
    log = NotificationLog.objects.create(
        kind="test_note",
        notification_type="test_channel",
        idempotency_key="x",
        next_attempt_at=timezone.now(),
    )
    _test_channel_calls.clear()

    assert outbox_send(log_id=log.pk) == Status.SENT
    assert outbox_send(log_id=log.pk) is None
    assert outbox_flush() == {}
    assert _test_channel_calls == [log.pk]


def test_a_message_claimed_by_a_live_sender_is_left_alone_until_its_claim_expires():
    now = timezone.now()
    log = NotificationLog.objects.create(
        kind="test_note",
        notification_type="test_channel",
        idempotency_key="claimed",
        next_attempt_at=now,
        claimed_until=now + timedelta(minutes=5),
    )

    assert outbox_send(log_id=log.pk) is None
    NotificationLog.objects.filter(pk=log.pk).update(claimed_until=now - timedelta(seconds=1))
    assert outbox_send(log_id=log.pk) == Status.SENT


def test_a_message_with_nothing_left_to_send_is_skipped(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        log = add_note(skip=True)

    log.refresh_from_db()
    assert log.status == Status.SKIPPED
    assert mail.outbox == []


def test_a_permanent_failure_fails_at_once_with_the_error():
    log = NotificationLog.objects.create(
        kind="test_note",
        notification_type="test_channel",
        idempotency_key="gone",
        context={"gone": True},
        next_attempt_at=timezone.now(),
    )

    assert outbox_send(log_id=log.pk) == Status.FAILED
    log.refresh_from_db()
    assert (log.status, log.attempts, log.error_message) == (Status.FAILED, 1, "device gone")


def test_an_unknown_kind_fails_with_a_reason():
    log = NotificationLog.objects.create(
        kind="no_such_kind",
        notification_type="email",
        idempotency_key="unknown",
        next_attempt_at=timezone.now(),
    )

    assert outbox_send(log_id=log.pk) == Status.FAILED
    log.refresh_from_db()
    assert "no renderer" in log.error_message


def test_an_smtp_outage_is_retried_with_back_off_and_ends_failed_with_the_error(
    settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    settings.OUTBOX_MAX_ATTEMPTS = 3
    with django_capture_on_commit_callbacks(execute=True):
        log = add_note()

    log.refresh_from_db()
    assert (log.status, log.attempts) == (Status.PENDING, 1)
    assert "Connection refused" in log.error_message or "Errno" in log.error_message
    waits = [log.next_attempt_at - timezone.now()]
    assert retry_delay(1) - timedelta(seconds=5) < waits[0] <= retry_delay(1)
    # Not due yet: a flush leaves it alone.
    assert outbox_flush() == {}

    for expected in (2, 3):
        NotificationLog.objects.filter(pk=log.pk).update(next_attempt_at=timezone.now())
        outbox_flush()
        log.refresh_from_db()
        assert log.attempts == expected
    assert log.status == Status.FAILED
    assert log.error_message
    assert retry_delay(2) == 2 * retry_delay(1)


def test_the_smtp_server_refusing_the_recipient_fails_at_once(
    smtp, django_capture_on_commit_callbacks
):
    smtp.refuse.add("reader@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        log = add_note()

    log.refresh_from_db()
    assert (log.status, log.attempts) == (Status.FAILED, 1)
    assert "550" in log.error_message


@pytest.fixture
def broker_down(monkeypatch):
    """Celery is not eager and its broker is unreachable: every enqueue really fails."""
    app = Celery(
        "outbox-broker-down",
        broker=f"redis://127.0.0.1:{free_port()}/0",
        set_as_current=False,
    )
    app.conf.update(
        broker_connection_timeout=1, broker_transport_options={"socket_connect_timeout": 1}
    )

    @app.task(name=outbox_send_task.name)
    def unreachable(log_id):
        return None

    monkeypatch.setitem(outbox_send_task.app.conf, "task_always_eager", False)
    monkeypatch.setattr(outbox_send_task, "apply_async", unreachable.apply_async)
    yield
    broker_backoff_reset()
    app.pool.force_close_all()


def test_with_the_broker_down_an_account_email_is_delivered_once_by_outbox_flush(
    smtp, api_client, broker_down, django_capture_on_commit_callbacks, caplog
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            "/api/v1/auth/register/",
            {"username": "patient", "email": "patient@example.com", "password": PASSWORD},
        )
    assert response.status_code == 201
    assert any(record.message == "task_enqueue_failed" for record in caplog.records)
    assert smtp.messages == []
    assert NotificationLog.objects.get(kind="verify_email").status == Status.PENDING

    call_command("outbox_flush")
    call_command("outbox_flush")

    assert len(smtp.messages) == 1
    text, _ = email_parts(smtp.messages[0])
    assert smtp.messages[0]["To"] == "patient@example.com"
    assert "/verify-email?token=" in text
    log = NotificationLog.objects.get(kind="verify_email")
    assert (log.status, log.attempts) == (Status.SENT, 1)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_flushes_at_once_send_each_message_once():
    user = UserFactory()
    now = timezone.now()
    NotificationLog.objects.bulk_create(
        NotificationLog(
            kind="test_note",
            notification_type="test_channel",
            idempotency_key=f"race:{n}",
            user=user,
            next_attempt_at=now,
        )
        for n in range(40)
    )
    _test_channel_calls.clear()
    barrier = threading.Barrier(2)

    def flush():
        try:
            barrier.wait()
            outbox_flush(batch=10)
        finally:
            connection.close()

    threads = [threading.Thread(target=flush) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(_test_channel_calls) == sorted(
        NotificationLog.objects.values_list("pk", flat=True)
    )
    assert set(NotificationLog.objects.values_list("status", flat=True)) == {Status.SENT}


@kind_renderer("test_broken")
def _broken(log):
    raise ValueError("template broken")


def test_an_in_app_message_that_cannot_render_fails_without_failing_the_event():
    with transaction.atomic():
        log = outbox_add(kind="test_broken", channel="in_app", key="broken:1", user_id=None)

    log.refresh_from_db()
    assert (log.status, log.error_message) == (Status.FAILED, "ValueError: template broken")
