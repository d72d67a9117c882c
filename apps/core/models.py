from django.db import models


class TimeStampedModel(models.Model):
    """``created_at`` and ``updated_at``, maintained by Django."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


# The outbox's table, defined beside its services (apps/core/outbox/).
from apps.core.outbox.models import NotificationLog  # noqa: E402, F401
