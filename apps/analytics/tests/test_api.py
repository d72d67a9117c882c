"""The staff analytics API: staff only, validated and bounded dates, figures from the data."""

from datetime import UTC, date, datetime

import pytest
from django.urls import reverse

from apps.accounts.tests.factories import UserFactory
from apps.analytics.aggregation import aggregate_day
from apps.analytics.models import RequestTiming, UserActivityLog
from apps.analytics.selectors import ctr_interval
from apps.catalog.tests.factories import MovieFactory
from conftest import client_for

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 20)
ROUTES = [
    "analytics-overview",
    "analytics-recommendations",
    "analytics-movies-top",
    "analytics-performance",
]


@pytest.fixture
def staff_client():
    return client_for(UserFactory(is_staff=True))


def log(action_type, user_id=None, movie_id=None, day=DAY, **metadata):
    UserActivityLog.objects.create(
        action_type=action_type,
        user_id=user_id,
        movie_id=movie_id,
        session_id=f"s{user_id}",
        metadata=metadata,
        timestamp=datetime(day.year, day.month, day.day, 12, tzinfo=UTC),
    )


@pytest.mark.parametrize("route", ROUTES)
def test_staff_only(route, api_client, auth_client, staff_client):
    url = reverse(route)
    assert api_client.get(url).status_code == 401
    assert auth_client.get(url).status_code == 403
    assert staff_client.get(url).status_code == 200


@pytest.mark.parametrize(
    "params",
    [
        {"from": "2026-13-01"},
        {"from": "2026-11-20", "to": "2026-11-10"},
        {"from": "2026-01-01", "to": "2026-12-01"},
        {"to": "2999-01-01"},
    ],
)
def test_dates_are_validated_and_ranges_bounded(staff_client, params):
    response = staff_client.get(reverse("analytics-overview"), params)
    assert response.status_code == 400
    assert response.json()["success"] is False


def test_top_movies_refuses_an_unknown_metric_and_a_large_limit(staff_client):
    url = reverse("analytics-movies-top")
    assert staff_client.get(url, {"metric": "nope"}).status_code == 400
    assert staff_client.get(url, {"limit": 1000}).status_code == 400


def test_overview_per_day_from_the_daily_figures(staff_client, django_assert_num_queries):
    for user in (1, 2):
        log("movie_view", user_id=user, movie_id=1)
    log("movie_search", user_id=2, query="x", results=0)
    aggregate_day(DAY)
    UserFactory(date_joined=datetime(2026, 11, 20, 8, tzinfo=UTC))

    with django_assert_num_queries(3):  # the staff user, the daily figures, new users
        response = staff_client.get(
            reverse("analytics-overview"), {"from": "2026-11-19", "to": "2026-11-20"}
        )

    before, day = response.json()["data"]
    assert before == {
        "date": "2026-11-19",
        "active_users": 0,
        "sessions": 0,
        "events": 0,
        "new_users": 0,
        "by_type": {},
    }
    assert day == {
        "date": "2026-11-20",
        "active_users": 2,
        "sessions": 2,
        "events": 3,
        "new_users": 1,
        "by_type": {"movie_search": 1, "movie_view": 2},
    }


def test_overview_includes_today_from_the_log(staff_client):
    today = datetime.now(UTC).date()
    log("movie_view", user_id=7, movie_id=1, day=today)

    (row,) = staff_client.get(
        reverse("analytics-overview"), {"from": today.isoformat(), "to": today.isoformat()}
    ).json()["data"]
    assert (row["active_users"], row["by_type"]) == (1, {"movie_view": 1})


def test_click_through_per_engine_and_arm_with_users_and_an_interval(
    staff_client, django_assert_num_queries
):
    # hybrid: 3 users shown 10 each, 2 first clicks (one repeated click does not count).
    for user in (1, 2, 3):
        log("recommendation_impression", user, engine="hybrid", experiment="", arm="", count=10)
    log("recommendation_click", 1, 5, engine="hybrid", experiment="", arm="", first=True)
    log("recommendation_click", 1, 5, engine="hybrid", experiment="", arm="", first=False)
    log("recommendation_click", 2, 6, engine="hybrid", experiment="", arm="", first=True)
    # content in an experiment arm: 2 users shown 5 each, 1 click.
    for user in (4, 5):
        log("recommendation_impression", user, engine="content", experiment="e1", arm="b", count=5)
    log("recommendation_click", 4, 7, engine="content", experiment="e1", arm="b", first=True)

    with django_assert_num_queries(2):  # the staff user, the events grouped by day and user
        response = staff_client.get(
            reverse("analytics-recommendations"), {"from": "2026-11-20", "to": "2026-11-20"}
        )

    data = response.json()["data"]
    engines = {row["engine"]: row for row in data["engines"]}
    hybrid = engines["hybrid"]
    assert (hybrid["impressions"], hybrid["clicks"], hybrid["users"]) == (30, 2, 3)
    assert hybrid["ctr"] == pytest.approx(2 / 30, abs=1e-4)
    assert hybrid["ctr_low"] < hybrid["ctr"] < hybrid["ctr_high"]
    (arm,) = data["arms"]
    assert (arm["experiment"], arm["arm"], arm["engine"]) == ("e1", "b", "content")
    assert (arm["impressions"], arm["clicks"], arm["users"], arm["ctr"]) == (10, 1, 2, 0.1)
    assert {(row["date"], row["engine"]) for row in data["days"]} == {
        ("2026-11-20", "content"),
        ("2026-11-20", "hybrid"),
    }


def test_the_interval_needs_two_users_and_narrows_with_more():
    assert ctr_interval([(10, 1)]) is None
    few = ctr_interval([(10, 1), (10, 2), (10, 0)])
    many = ctr_interval([(10, 1), (10, 2), (10, 0)] * 30)
    assert few[0] <= 0.1 <= few[1] and many[0] <= 0.1 <= many[1]
    assert many[1] - many[0] < few[1] - few[0]


def test_top_movies_of_a_day_with_titles(staff_client, django_assert_num_queries):
    alien, heat = MovieFactory(title="Alien"), MovieFactory(title="Heat")
    for user in (1, 2, 3):
        log("movie_view", user, alien.pk)
    log("movie_view", 1, heat.pk)
    log("like_add", 1, heat.pk)
    aggregate_day(DAY)

    with django_assert_num_queries(3):  # the staff user, the figures, the titles
        response = staff_client.get(reverse("analytics-movies-top"), {"date": "2026-11-20"})
    data = response.json()["data"]
    assert [(m["title"], m["views"]) for m in data["movies"]] == [("Alien", 3), ("Heat", 1)]

    likes = staff_client.get(reverse("analytics-movies-top"), {"metric": "likes"}).json()["data"]
    assert likes["date"] == "2026-11-20"  # the latest aggregated day by default
    assert [m["title"] for m in likes["movies"]] == ["Heat"]


def test_performance_per_endpoint_and_day(staff_client):
    RequestTiming.objects.create(day=DAY, endpoint="GET a/", bucket=40, count=10, errors=2)
    RequestTiming.objects.create(day=DAY, endpoint="GET b/", bucket=40, count=3)
    aggregate_day(DAY)

    rows = staff_client.get(
        reverse("analytics-performance"), {"from": "2026-11-20", "to": "2026-11-20"}
    ).json()["data"]
    assert [(r["endpoint"], r["requests"], r["errors"]) for r in rows] == [
        ("GET a/", 10, 2),
        ("GET b/", 3, 0),
    ]
    assert rows[0]["p50"] == rows[0]["p95"] == rows[0]["p99"] > 0

    only = staff_client.get(
        reverse("analytics-performance"),
        {"from": "2026-11-20", "to": "2026-11-20", "endpoint": "GET b/"},
    ).json()["data"]
    assert [r["endpoint"] for r in only] == ["GET b/"]


def test_an_empty_store_answers_empty_figures(staff_client):
    top = staff_client.get(reverse("analytics-movies-top")).json()["data"]
    assert top == {"date": None, "metric": "views", "movies": []}
    recs = staff_client.get(reverse("analytics-recommendations")).json()["data"]
    assert recs == {"engines": [], "arms": [], "days": []}
