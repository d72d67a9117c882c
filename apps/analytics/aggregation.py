"""Daily figures from the activity log and the request timings (``aggregate_metrics``).

For one day (UTC), all in one transaction on the analytics database, the day's rows replaced:

- ``popularity_metrics``: per movie, views (``movie_view``), likes (``like_add``), ratings
  (``rating_submit``) and their average, times recommended (movies in the day's
  ``recommendation_impression`` events) and click-through rate (first clicks over times
  recommended, at most 1);
- ``activity_daily``: events, distinct users and sessions per action type, and for all actions
  together (the daily active users);
- ``performance_metrics``: per endpoint, requests, errors (5xx) and latency p50, p95 and p99 in
  ms, from the ``request_timings`` histograms.

Running it again for the same day gives the same rows (delete and insert in one transaction:
readers see the old figures or the new ones). Grouping is done by the database: one pass over
the day's partition per table.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import connections, transaction
from django.db.models import Avg, Count, FloatField, Q
from django.db.models.fields.json import KT
from django.db.models.functions import Cast

from apps.analytics.models import (
    ActivityDaily,
    PerformanceMetric,
    PopularityMetric,
    RequestTiming,
    UserActivityLog,
)
from apps.analytics.timings import bucket_value
from apps.core.routers import analytics_alias

DAILY_METRICS = ("requests", "errors", "latency_p50", "latency_p95", "latency_p99")
PERCENTILES = {"latency_p50": 0.50, "latency_p95": 0.95, "latency_p99": 0.99}


@dataclass(frozen=True)
class DayFigures:
    day: date
    movies: int
    activity_rows: int
    endpoints: int


def day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tzinfo=UTC)
    return start, start + timedelta(days=1)


def _day_events(day: date):
    start, end = day_bounds(day)
    return UserActivityLog.objects.using(analytics_alias()).filter(
        timestamp__gte=start, timestamp__lt=end
    )


def _recommended_counts(day: date) -> dict[int, int]:
    """How many times each movie was in a list shown that day."""
    start, end = day_bounds(day)
    connection = connections[analytics_alias()]
    table = connection.ops.quote_name(UserActivityLog._meta.db_table)
    if connection.vendor == "postgresql":
        sql = (
            "SELECT m.value::bigint, count(*) FROM "  # noqa: S608
            f"{table} l, jsonb_array_elements_text(l.metadata -> 'movie_ids') m "
            "WHERE l.action_type = 'recommendation_impression' "
            'AND l."timestamp" >= %s AND l."timestamp" < %s GROUP BY 1'
        )
    else:
        sql = (
            "SELECT CAST(m.value AS INTEGER), count(*) FROM "  # noqa: S608
            f"{table} l, json_each(l.metadata, '$.movie_ids') m "
            "WHERE l.action_type = 'recommendation_impression' "
            'AND l."timestamp" >= %s AND l."timestamp" < %s GROUP BY 1'
        )
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [
                connection.ops.adapt_datetimefield_value(start),
                connection.ops.adapt_datetimefield_value(end),
            ],
        )
        return {int(movie_id): count for movie_id, count in cursor.fetchall()}


def _two_places(value) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _rate(clicks: int, shown: int) -> Decimal:
    if not shown:
        return Decimal("0")
    return Decimal(min(clicks, shown) / shown).quantize(Decimal("0.0001"), ROUND_HALF_UP)


def popularity_rows(day: date) -> list[PopularityMetric]:
    per_movie = (
        _day_events(day)
        .filter(
            movie_id__isnull=False,
            action_type__in=["movie_view", "like_add", "rating_submit", "recommendation_click"],
        )
        .values("movie_id")
        .annotate(
            views=Count("id", filter=Q(action_type="movie_view")),
            likes=Count("id", filter=Q(action_type="like_add")),
            ratings=Count("id", filter=Q(action_type="rating_submit")),
            average=Avg(
                Cast(KT("metadata__rating"), FloatField()), filter=Q(action_type="rating_submit")
            ),
            clicks=Count("id", filter=Q(action_type="recommendation_click", metadata__first=True)),
        )
        .order_by()
    )
    figures = {row["movie_id"]: row for row in per_movie}
    recommended = _recommended_counts(day)
    rows = []
    for movie_id in sorted(figures.keys() | recommended.keys()):
        row = figures.get(movie_id, {})
        shown = recommended.get(movie_id, 0)
        rows.append(
            PopularityMetric(
                movie_id=movie_id,
                date=day,
                view_count=row.get("views", 0),
                like_count=row.get("likes", 0),
                rating_count=row.get("ratings", 0),
                avg_rating=_two_places(row.get("average")),
                recommendation_count=shown,
                click_through_rate=_rate(row.get("clicks", 0), shown),
            )
        )
    return rows


def activity_rows(day: date) -> list[ActivityDaily]:
    events = _day_events(day)
    grouped = (
        events.values("action_type")
        .annotate(
            events=Count("id"),
            users=Count("user_id", distinct=True),
            sessions=Count("session_id", distinct=True),
        )
        .order_by("action_type")
    )
    rows = [ActivityDaily(date=day, **row) for row in grouped]
    if rows:
        total = events.aggregate(
            users=Count("user_id", distinct=True), sessions=Count("session_id", distinct=True)
        )
        rows.append(
            ActivityDaily(
                date=day,
                action_type=ActivityDaily.ALL,
                events=sum(row.events for row in rows),
                **total,
            )
        )
    return rows


def _percentile(buckets: list[tuple[int, int]], share: float) -> float:
    """The duration below which ``share`` of the requests fall (buckets sorted, with counts)."""
    total = sum(count for _, count in buckets)
    rank = max(1, round(share * total))
    seen = 0
    for bucket, count in buckets:
        seen += count
        if seen >= rank:
            return round(bucket_value(bucket), 3)
    return round(bucket_value(buckets[-1][0]), 3)


def performance_rows(day: date) -> list[PerformanceMetric]:
    histograms: dict[str, list[tuple[int, int]]] = {}
    errors: dict[str, int] = {}
    timings = (
        RequestTiming.objects.using(analytics_alias())
        .filter(day=day)
        .order_by("endpoint", "bucket")
        .values_list("endpoint", "bucket", "count", "errors")
    )
    for endpoint, bucket, count, error_count in timings:
        histograms.setdefault(endpoint, []).append((bucket, count))
        errors[endpoint] = errors.get(endpoint, 0) + error_count
    stamp = day_bounds(day)[0]
    rows = []
    for endpoint, buckets in histograms.items():
        values = {
            "requests": (sum(count for _, count in buckets), "count"),
            "errors": (errors[endpoint], "count"),
            **{name: (_percentile(buckets, share), "ms") for name, share in PERCENTILES.items()},
        }
        rows.extend(
            PerformanceMetric(
                metric_name=name,
                metric_value=value,
                metric_unit=unit,
                endpoint=endpoint,
                timestamp=stamp,
                additional_data={"date": day.isoformat(), "aggregate": "daily"},
            )
            for name, (value, unit) in values.items()
        )
    return rows


def aggregate_day(day: date) -> DayFigures:
    """Compute and store one day's figures, replacing what a previous run stored."""
    popularity, activity, performance = (
        popularity_rows(day),
        activity_rows(day),
        performance_rows(day),
    )
    alias = analytics_alias()
    with transaction.atomic(using=alias):
        PopularityMetric.objects.using(alias).filter(date=day).delete()
        PopularityMetric.objects.using(alias).bulk_create(popularity, batch_size=2000)
        ActivityDaily.objects.using(alias).filter(date=day).delete()
        ActivityDaily.objects.using(alias).bulk_create(activity)
        PerformanceMetric.objects.using(alias).filter(
            metric_name__in=DAILY_METRICS, timestamp=day_bounds(day)[0]
        ).delete()
        PerformanceMetric.objects.using(alias).bulk_create(performance, batch_size=2000)
    return DayFigures(day, len(popularity), len(activity), len(performance) // len(DAILY_METRICS))
