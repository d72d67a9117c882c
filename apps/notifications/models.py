"""Seed 002 section 4: notification preferences, templates and devices. The fourth table,
``notification_logs``, is the outbox's (apps/core/outbox/models.py), so that apps below this
one (accounts) can write to it."""

from datetime import time

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from apps.core.models import TimeStampedModel


# The preferences' times of day are defaults given as callables, not as time values: Django
# warns (fields.W161, "fixed default value") about a time default whenever its checks run
# within ten seconds of that time of day, so `check --deploy --fail-level WARNING` failed at
# 08:00, 09:00 and 22:00.
def default_digest_time() -> time:
    return time(9, 0)


def default_quiet_hours_start() -> time:
    return time(22, 0)


def default_quiet_hours_end() -> time:
    return time(8, 0)


class NotificationPreference(TimeStampedModel):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    # Email
    weekly_digest = models.BooleanField(default=True)
    recommendation_alerts = models.BooleanField(default=True)
    trending_alerts = models.BooleanField(default=False)
    new_release_alerts = models.BooleanField(default=False)
    # Push
    push_recommendations = models.BooleanField(default=True)
    push_trending = models.BooleanField(default=False)
    push_new_releases = models.BooleanField(default=False)
    # Timing
    digest_day = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(7)]
    )  # 1 = Monday ... 7 = Sunday (ISO)
    digest_time = models.TimeField(default=default_digest_time)
    timezone = models.CharField(max_length=50, default="UTC")
    # Not in the seed: no push in the user's night (a start after the end spans midnight).
    quiet_hours_start = models.TimeField(default=default_quiet_hours_start)
    quiet_hours_end = models.TimeField(default=default_quiet_hours_end)

    class Meta:
        db_table = "notification_preferences"
        indexes = [
            models.Index(fields=["digest_day", "digest_time"], name="idx_notification_prefs_digest")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(digest_day__gte=1, digest_day__lte=7), name="check_digest_day_range"
            )
        ]

    def __str__(self) -> str:
        return f"Notification preferences of {self.user_id}"


class NotificationTemplate(TimeStampedModel):
    """What a kind of message says on one channel, edited in the admin. Rendered with Django's
    template engine and a fixed context (apps/notifications/services/rendering.py lists it);
    the newest active template of a type is used."""

    class Type(models.TextChoices):
        EMAIL_WEEKLY_DIGEST = "email_weekly_digest", "email: weekly digest"
        EMAIL_RECOMMENDATION = "email_recommendation", "email: recommendation alert"
        EMAIL_NEW_RELEASE = "email_new_release", "email: new release alert"
        EMAIL_TRENDING = "email_trending", "email: trending alert"
        PUSH_RECOMMENDATION = "push_recommendation", "push and in-app: recommendation alert"
        PUSH_NEW_RELEASE = "push_new_release", "push and in-app: new release alert"
        PUSH_TRENDING = "push_trending", "push and in-app: trending alert"
        PUSH_WEEKLY_DIGEST = "push_weekly_digest", "in-app: weekly digest"

    name = models.CharField(max_length=100, unique=True)
    template_type = models.CharField(max_length=30, choices=Type.choices)
    subject = models.CharField(max_length=200, help_text="Email subject, or push title.")
    html_content = models.TextField(blank=True, default="", help_text="Email HTML part.")
    text_content = models.TextField(help_text="Email plain-text part, or push body.")
    is_active = models.BooleanField(default=True)

    class Meta:
        db_table = "notification_templates"
        indexes = [
            models.Index(fields=["template_type"], name="idx_templates_type"),
            models.Index(fields=["is_active"], name="idx_templates_active"),
        ]

    def __str__(self) -> str:
        return self.name


class UserDevice(models.Model):
    class Type(models.TextChoices):
        IOS = "ios", "iOS"
        ANDROID = "android", "Android"
        WEB = "web", "web"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="devices"
    )
    # An FCM registration token, or a Web Push subscription as compact JSON.
    device_token = models.CharField(max_length=500, unique=True)
    device_type = models.CharField(max_length=20, choices=Type.choices)
    device_name = models.CharField(max_length=100, blank=True, default="")
    is_active = models.BooleanField(default=True)
    registered_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "user_devices"
        indexes = [
            models.Index(fields=["user"], name="idx_user_devices_user"),
            models.Index(fields=["is_active"], name="idx_user_devices_active"),
            models.Index(fields=["device_type"], name="idx_user_devices_type"),
        ]

    def __str__(self) -> str:
        return f"{self.device_type} device of {self.user_id}"
