"""Analytics (seed 002 section 5). May live in its own database (ANALYTICS_DATABASE_URL).

Because the analytics database can be separate from the main one, references to users and
movies are plain ids, not foreign keys: no database can enforce a key across two databases.
Deleting a user anonymises their activity rows through a service instead of ON DELETE SET NULL.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone


class ActivitySource(models.TextChoices):
    WEB = "web"
    MOBILE = "mobile"
    EMAIL = "email"
    PUSH = "push"
    API = "api"


class UserActivityLog(models.Model):
    user_id = models.BigIntegerField(null=True, blank=True)
    session_id = models.CharField(max_length=100, blank=True, default="")
    action_type = models.CharField(max_length=30)
    movie_id = models.BigIntegerField(null=True, blank=True)
    # The client's address encrypted with Fernet (apps.analytics.privacy; ANALYTICS_IP_KEYS),
    # never in clear: seed 002 asks for IP addresses to be encrypted at application level.
    ip_address = models.CharField(max_length=200, null=True, blank=True)
    user_agent = models.TextField(blank=True, default="")
    referer = models.CharField(max_length=500, null=True, blank=True)
    source = models.CharField(max_length=30, choices=ActivitySource.choices, default="web")
    metadata = models.JSONField(default=dict, blank=True)
    timestamp = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "user_activity_logs"
        indexes = [
            models.Index(fields=["user_id", "action_type"], name="idx_activity_user_action"),
            models.Index(fields=["-timestamp"], name="idx_activity_timestamp"),
            models.Index(fields=["movie_id", "action_type"], name="idx_activity_movie_action"),
            models.Index(fields=["session_id"], name="idx_activity_session"),
            models.Index(fields=["source"], name="idx_activity_source"),
        ]

    def __str__(self) -> str:
        return f"{self.action_type} by {self.user_id} at {self.timestamp:%Y-%m-%d %H:%M}"


class PerformanceMetric(models.Model):
    """Seed 002's performance metrics. ``aggregate_metrics`` writes one row per endpoint, day
    and figure (``DAILY_METRICS``: requests, errors, latency_p50/p95/p99 in ms), stamped at
    the day's midnight (UTC), from the request timing histograms."""

    metric_name = models.CharField(max_length=100)
    metric_value = models.FloatField()
    metric_unit = models.CharField(max_length=20)
    endpoint = models.CharField(max_length=200, null=True, blank=True)
    user_id = models.BigIntegerField(null=True, blank=True)
    additional_data = models.JSONField(default=dict, blank=True)
    timestamp = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "performance_metrics"
        indexes = [
            models.Index(fields=["metric_name", "-timestamp"], name="idx_perf_name_time"),
            models.Index(fields=["endpoint", "-timestamp"], name="idx_perf_endpoint_time"),
            models.Index(fields=["-timestamp"], name="idx_perf_timestamp"),
        ]

    def __str__(self) -> str:
        return f"{self.metric_name}={self.metric_value}{self.metric_unit}"


class PopularityMetric(models.Model):
    movie_id = models.BigIntegerField()
    date = models.DateField()
    view_count = models.PositiveIntegerField(default=0)
    like_count = models.PositiveIntegerField(default=0)
    rating_count = models.PositiveIntegerField(default=0)
    avg_rating = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    recommendation_count = models.PositiveIntegerField(default=0)
    click_through_rate = models.DecimalField(max_digits=5, decimal_places=4, default=0)

    class Meta:
        db_table = "popularity_metrics"
        constraints = [
            models.UniqueConstraint(fields=["movie_id", "date"], name="unique_movie_date"),
            models.CheckConstraint(
                condition=Q(click_through_rate__gte=0, click_through_rate__lte=1),
                name="check_ctr_range",
            ),
        ]
        indexes = [
            models.Index(fields=["movie_id"], name="idx_popularity_movie"),
            models.Index(fields=["-date"], name="idx_popularity_date"),
            models.Index(fields=["-view_count"], name="idx_popularity_views"),
            models.Index(fields=["-click_through_rate"], name="idx_popularity_ctr"),
        ]

    def __str__(self) -> str:
        return f"{self.movie_id} on {self.date}"


class RequestTiming(models.Model):
    """How long requests to one endpoint took on one day, as a histogram: ``count`` requests
    (``errors`` of them answered 5xx) took between ``bucket_lower(bucket)`` and
    ``bucket_lower(bucket + 1)`` ms (apps.analytics.timings). Mergeable across processes by
    adding counts, so every server process sends its own and nothing keeps one row per request.
    """

    day = models.DateField()
    endpoint = models.CharField(max_length=200)
    bucket = models.SmallIntegerField()
    count = models.PositiveBigIntegerField(default=0)
    errors = models.PositiveBigIntegerField(default=0)

    class Meta:
        db_table = "request_timings"
        constraints = [
            models.UniqueConstraint(
                fields=["day", "endpoint", "bucket"], name="unique_request_timing_bucket"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.endpoint} [{self.bucket}]: {self.count}"


class ActivityDaily(models.Model):
    """Events per day and action type, with how many distinct users and sessions made them;
    ``action_type`` "" is every action together (its ``users`` is the daily active users).
    Written by ``aggregate_metrics``."""

    ALL = ""

    date = models.DateField()
    action_type = models.CharField(max_length=30, blank=True, default="")
    events = models.PositiveBigIntegerField(default=0)
    users = models.PositiveIntegerField(default=0)
    sessions = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "activity_daily"
        constraints = [
            models.UniqueConstraint(fields=["date", "action_type"], name="unique_activity_daily")
        ]
        indexes = [models.Index(fields=["-date"], name="idx_activity_daily_date")]

    def __str__(self) -> str:
        return f"{self.date} {self.action_type or 'all'}: {self.events}"
