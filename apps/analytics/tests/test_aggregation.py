"""aggregate_metrics: daily popularity, activity and performance figures, idempotent."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from apps.analytics.aggregation import aggregate_day
from apps.analytics.models import (
    ActivityDaily,
    PerformanceMetric,
    PopularityMetric,
    RequestTiming,
    UserActivityLog,
)
from apps.analytics.timings import bucket_of, histograms, timings_flush
from apps.catalog.tests.factories import MovieFactory

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 20)


def at(hour: int, day: date = DAY) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def log(action_type: str, hour: int = 12, day: date = DAY, **fields) -> None:
    fields.setdefault("session_id", f"s{fields.get('user_id')}")
    UserActivityLog.objects.create(action_type=action_type, timestamp=at(hour, day), **fields)


def seed_day() -> None:
    for user in (1, 2, 3):
        log("movie_view", user_id=user, movie_id=10)
    log("movie_view", user_id=None, movie_id=11, session_id="anon")
    log("like_add", user_id=1, movie_id=10)
    log("rating_submit", user_id=1, movie_id=10, metadata={"rating": "4.5"})
    log("rating_submit", user_id=2, movie_id=10, metadata={"rating": "3.0"})
    log(
        "recommendation_impression", user_id=1, metadata={"engine": "hybrid", "movie_ids": [10, 11]}
    )
    log(
        "recommendation_impression", user_id=2, metadata={"engine": "hybrid", "movie_ids": [10, 12]}
    )
    log("recommendation_click", user_id=1, movie_id=10, metadata={"first": True})
    log("recommendation_click", user_id=1, movie_id=10, metadata={"first": False})
    log("movie_view", user_id=9, movie_id=10, day=DAY + timedelta(days=1))  # another day
    log("movie_view", user_id=9, movie_id=10, hour=23, day=DAY - timedelta(days=1))


def popularity() -> dict[int, tuple]:
    return {
        row.movie_id: (
            row.view_count,
            row.like_count,
            row.rating_count,
            row.avg_rating,
            row.recommendation_count,
            row.click_through_rate,
        )
        for row in PopularityMetric.objects.filter(date=DAY)
    }


def test_popularity_per_movie_and_day():
    seed_day()
    aggregate_day(DAY)

    assert popularity() == {
        10: (3, 1, 2, Decimal("3.75"), 2, Decimal("0.5000")),
        11: (1, 0, 0, None, 1, Decimal("0")),
        12: (0, 0, 0, None, 1, Decimal("0")),
    }


def test_activity_per_type_and_daily_active_users():
    seed_day()
    aggregate_day(DAY)

    rows = {
        r.action_type: (r.events, r.users, r.sessions)
        for r in ActivityDaily.objects.filter(date=DAY)
    }
    assert rows["movie_view"] == (4, 3, 4)
    assert rows["recommendation_click"] == (2, 1, 1)
    assert rows[""] == (11, 3, 4)  # all actions: daily active users


def snapshot() -> list[tuple]:
    return sorted(
        [
            *PopularityMetric.objects.values_list(
                "movie_id",
                "date",
                "view_count",
                "like_count",
                "rating_count",
                "avg_rating",
                "recommendation_count",
                "click_through_rate",
            ),
            *ActivityDaily.objects.values_list(
                "date", "action_type", "events", "users", "sessions"
            ),
            *PerformanceMetric.objects.values_list(
                "metric_name", "metric_value", "endpoint", "timestamp"
            ),
        ],
        key=repr,
    )


def test_running_twice_for_the_same_day_gives_the_same_rows(capsys):
    seed_day()
    RequestTiming.objects.create(day=DAY, endpoint="GET api/v1/x/", bucket=50, count=3, errors=1)

    call_command("aggregate_metrics", "--date", DAY.isoformat())
    first = snapshot()
    call_command("aggregate_metrics", "--date", DAY.isoformat())

    assert first and snapshot() == first
    assert "3 movies" in capsys.readouterr().out


def test_a_later_run_replaces_the_days_figures():
    seed_day()
    aggregate_day(DAY)
    log("movie_view", user_id=5, movie_id=12)
    aggregate_day(DAY)

    assert popularity()[12][0] == 1


def test_performance_per_endpoint_from_the_histograms():
    # 90 fast requests, 9 slower, 1 very slow and an error.
    RequestTiming.objects.create(day=DAY, endpoint="GET a/", bucket=bucket_of(2.0), count=90)
    RequestTiming.objects.create(day=DAY, endpoint="GET a/", bucket=bucket_of(20.0), count=9)
    RequestTiming.objects.create(
        day=DAY, endpoint="GET a/", bucket=bucket_of(500.0), count=1, errors=1
    )
    aggregate_day(DAY)

    figures = {
        row.metric_name: row.metric_value
        for row in PerformanceMetric.objects.filter(endpoint="GET a/")
    }
    assert figures["requests"] == 100 and figures["errors"] == 1
    assert figures["latency_p50"] == pytest.approx(2.0, rel=0.06)
    assert figures["latency_p95"] == pytest.approx(20.0, rel=0.06)
    assert figures["latency_p99"] == pytest.approx(20.0, rel=0.06)


def test_requests_are_timed_by_endpoint_and_reach_the_daily_figures(api_client):
    movie = MovieFactory()
    for _ in range(3):
        api_client.get(reverse("movie-detail", args=[movie.pk]))
    api_client.get("/api/v1/no-such-route/")

    histograms.send()
    assert timings_flush() >= 2
    today = datetime.now(UTC).date()
    aggregate_day(today)

    counts = dict(
        PerformanceMetric.objects.filter(metric_name="requests").values_list(
            "endpoint", "metric_value"
        )
    )
    assert counts["GET api/v1/movies/<id:movie_id>/"] == 3
    assert sum(counts.values()) == 4


def test_a_bad_date_is_refused():
    with pytest.raises(CommandError):
        call_command("aggregate_metrics", "--date", "2026-13-01")
