"""Reads of the analytics app, shaped for the staff API and the dashboard.

Past days come from the daily tables ``aggregate_metrics`` fills; today, which the nightly run
has not reached, is computed from the activity log when a range includes it. Recommendation
click-through is computed from the impression and click events of the range, per user, so each
figure comes with the number of users behind it and a 95 % confidence interval.
"""

import math
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Count, IntegerField, Q, Sum
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, TruncDate

from apps.analytics.aggregation import DAILY_METRICS, activity_rows, day_bounds
from apps.analytics.models import (
    ActivityDaily,
    PerformanceMetric,
    PopularityMetric,
    UserActivityLog,
)
from apps.catalog.models import Movie
from apps.core.routers import analytics_alias

TOP_METRICS = {
    "views": "view_count",
    "likes": "like_count",
    "ratings": "rating_count",
    "ctr": "click_through_rate",
    "recommended": "recommendation_count",
}
IMPRESSION, CLICK = "recommendation_impression", "recommendation_click"
Z_95 = 1.959964


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def overview(*, start: date, end: date) -> list[dict]:
    """Per day: active users, sessions, events, new users and events by action type."""
    alias = analytics_alias()
    stored = defaultdict(list)
    for row in (
        ActivityDaily.objects.using(alias).filter(date__range=(start, end)).order_by("action_type")
    ):
        stored[row.date].append(row)
    today = datetime.now(UTC).date()
    if start <= today <= end and today not in stored:
        stored[today] = activity_rows(today)
    joined = dict(
        get_user_model()
        .objects.filter(date_joined__gte=day_bounds(start)[0], date_joined__lt=day_bounds(end)[1])
        .annotate(day=TruncDate("date_joined", tzinfo=UTC))
        .values("day")
        .annotate(count=Count("id"))
        .values_list("day", "count")
    )
    answer = []
    for day in _days(start, end):
        rows = stored.get(day, [])
        total = next((row for row in rows if row.action_type == ActivityDaily.ALL), None)
        answer.append(
            {
                "date": day,
                "active_users": total.users if total else 0,
                "sessions": total.sessions if total else 0,
                "events": total.events if total else 0,
                "new_users": joined.get(day, 0),
                "by_type": {row.action_type: row.events for row in rows if row.action_type},
            }
        )
    return answer


def ctr_interval(per_user: list[tuple[int, int]]) -> tuple[float, float] | None:
    """95 % interval of clicks / impressions with users as clusters (a user's impressions are
    not independent): the ratio estimator's delta-method variance,
    K / (K - 1) * sum((c_u - r n_u)^2) / N^2 over K users. None below two users."""
    users = len(per_user)
    shown = sum(n for n, _ in per_user)
    if users < 2 or not shown:
        return None
    rate = sum(c for _, c in per_user) / shown
    spread = sum((c - rate * n) ** 2 for n, c in per_user)
    error = math.sqrt(users / (users - 1) * spread) / shown
    return (max(0.0, rate - Z_95 * error), min(1.0, rate + Z_95 * error))


def _figure(per_user: dict[int | None, list[int]]) -> dict:
    pairs = [(shown, clicks) for shown, clicks in per_user.values()]
    impressions = sum(n for n, _ in pairs)
    clicks = sum(c for _, c in pairs)
    interval = ctr_interval(pairs)
    return {
        "impressions": impressions,
        "clicks": clicks,
        "users": sum(1 for n, _ in pairs if n),
        "ctr": round(min(1.0, clicks / impressions), 4) if impressions else None,
        "ctr_low": round(interval[0], 4) if interval else None,
        "ctr_high": round(interval[1], 4) if interval else None,
    }


def recommendations(*, start: date, end: date) -> dict:
    """Impressions, first clicks, users and click-through (with its interval) per engine and
    per experiment arm, for the range and per day."""
    first, last = day_bounds(start)[0], day_bounds(end)[1]
    rows = (
        UserActivityLog.objects.using(analytics_alias())
        .filter(action_type__in=[IMPRESSION, CLICK], timestamp__gte=first, timestamp__lt=last)
        .annotate(
            day=TruncDate("timestamp", tzinfo=UTC),
            engine=KT("metadata__engine"),
            experiment=KT("metadata__experiment"),
            arm=KT("metadata__arm"),
        )
        .values("day", "engine", "experiment", "arm", "user_id")
        .annotate(
            shown=Sum(
                Cast(KT("metadata__count"), IntegerField()), filter=Q(action_type=IMPRESSION)
            ),
            clicks=Count("id", filter=Q(action_type=CLICK, metadata__first=True)),
        )
        .order_by()
    )
    daily: dict[tuple, dict] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    engines: dict[str, dict] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    arms: dict[tuple, dict] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for row in rows:
        engine = row["engine"] or "unknown"
        shown, clicks = row["shown"] or 0, row["clicks"]
        for bucket in (
            daily[(row["day"], engine)][row["user_id"]],
            engines[engine][row["user_id"]],
        ):
            bucket[0] += shown
            bucket[1] += clicks
        if row["experiment"]:
            bucket = arms[(row["experiment"], row["arm"], engine)][row["user_id"]]
            bucket[0] += shown
            bucket[1] += clicks
    return {
        "engines": [
            {"engine": engine, **_figure(users)} for engine, users in sorted(engines.items())
        ],
        "arms": [
            {"experiment": experiment, "arm": arm, "engine": engine, **_figure(users)}
            for (experiment, arm, engine), users in sorted(arms.items())
        ],
        "days": [
            {"date": day, "engine": engine, **_figure(users)}
            for (day, engine), users in sorted(daily.items())
        ],
    }


def latest_popularity_date() -> date | None:
    return (
        PopularityMetric.objects.using(analytics_alias())
        .order_by("-date")
        .values_list("date", flat=True)
        .first()
    )


def movies_top(*, metric: str, day: date, limit: int) -> list[dict]:
    """The day's movies best by ``metric``, with their titles (two queries: the figures from
    the analytics store, the titles from the catalog)."""
    field = TOP_METRICS[metric]
    rows = list(
        PopularityMetric.objects.using(analytics_alias())
        .filter(date=day)
        .exclude(**{field: 0})
        .order_by(f"-{field}", "-view_count", "movie_id")[:limit]
    )
    titles = dict(
        Movie.objects.filter(id__in=[row.movie_id for row in rows]).values_list("id", "title")
    )
    return [
        {
            "movie_id": row.movie_id,
            "title": titles.get(row.movie_id, ""),
            "views": row.view_count,
            "likes": row.like_count,
            "ratings": row.rating_count,
            "avg_rating": row.avg_rating,
            "recommended": row.recommendation_count,
            "ctr": row.click_through_rate,
        }
        for row in rows
    ]


def performance(*, start: date, end: date, endpoint: str | None = None) -> list[dict]:
    """Per endpoint and day: requests, errors, p50, p95, p99 (ms), busiest endpoints first."""
    rows = PerformanceMetric.objects.using(analytics_alias()).filter(
        metric_name__in=DAILY_METRICS,
        timestamp__gte=day_bounds(start)[0],
        timestamp__lt=day_bounds(end)[1],
    )
    if endpoint:
        rows = rows.filter(endpoint=endpoint)
    table: dict[tuple, dict] = defaultdict(dict)
    for name, value, where, stamp in rows.values_list(
        "metric_name", "metric_value", "endpoint", "timestamp"
    ):
        table[(where, stamp.astimezone(UTC).date())][name] = value
    totals: dict[str, float] = defaultdict(float)
    for (where, _), figures in table.items():
        totals[where] += figures.get("requests", 0)
    return [
        {
            "endpoint": where,
            "date": day,
            "requests": int(figures.get("requests", 0)),
            "errors": int(figures.get("errors", 0)),
            "p50": figures.get("latency_p50"),
            "p95": figures.get("latency_p95"),
            "p99": figures.get("latency_p99"),
        }
        for (where, day), figures in sorted(
            table.items(), key=lambda item: (-totals[item[0][0]], item[0][0], item[0][1])
        )
    ]
