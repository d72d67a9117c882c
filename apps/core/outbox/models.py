"""The outbox: one ``notification_logs`` row per message (seed 002 section 4.3).

A row is written in the same transaction as the event that causes the message, then sent by a
task after commit; ``outbox_flush`` sends whatever a lost task left pending. The row is the
message's whole history: pending, sent (the mail server or push service took it), delivered (an
in-app message is delivered when written), failed (with the error), opened, clicked; and
skipped, when at sending time there was nothing to send (the address has no account, the user
turned that kind off).

Differences from the seed, each for a reason:
- ``user`` may be empty: a password reset asked for an address with no account is recorded as
  the request it was, and skipped at sending time (the caller learns nothing either way).
- ``template_name`` instead of a foreign key to ``notification_templates``: the outbox lives in
  ``apps.core`` so that accounts can write to it, and templates belong to the notifications app
  above it; the name is the template's unique name.
- ``kind`` says what the message is (``verify_email``, ``weekly_digest``...), ``context`` holds
  what its renderer needs, ``idempotency_key`` makes a second attempt at the same message a
  no-op, ``attempts``, ``next_attempt_at`` and ``claimed_until`` drive retries and keep two
  senders from sending one row, ``read_at`` serves the in-app inbox.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class NotificationLog(models.Model):
    class Channel(models.TextChoices):
        EMAIL = "email", "email"
        PUSH = "push", "push"
        IN_APP = "in_app", "in-app"

    class Status(models.TextChoices):
        PENDING = "pending", "pending"
        SENT = "sent", "sent"
        DELIVERED = "delivered", "delivered"
        FAILED = "failed", "failed"
        OPENED = "opened", "opened"
        CLICKED = "clicked", "clicked"
        SKIPPED = "skipped", "skipped"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notification_logs",
    )
    kind = models.CharField(max_length=40)
    template_name = models.CharField(max_length=100, blank=True, default="")
    notification_type = models.CharField(max_length=30, choices=Channel.choices)
    subject = models.CharField(max_length=200, blank=True, default="")
    content = models.TextField(blank=True, default="")
    recipient = models.CharField(max_length=500, blank=True, default="")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    external_id = models.CharField(max_length=100, null=True, blank=True)
    error_message = models.TextField(blank=True, default="")
    idempotency_key = models.CharField(max_length=200, unique=True)
    context = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    claimed_until = models.DateTimeField(null=True, blank=True)

    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    clicked_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "notification_logs"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["user", "notification_type", "-created_at"], name="idx_notif_logs_inbox"
            ),
            models.Index(fields=["status"], name="idx_notification_logs_status"),
            models.Index(fields=["notification_type"], name="idx_notification_logs_type"),
            models.Index(fields=["-created_at"], name="idx_notification_logs_created"),
            models.Index(fields=["kind", "status"], name="idx_notif_logs_kind_status"),
            models.Index(
                fields=["next_attempt_at"],
                name="idx_notifications_pending",
                condition=Q(status="pending"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.notification_type} to {self.recipient or '-'} ({self.status})"
