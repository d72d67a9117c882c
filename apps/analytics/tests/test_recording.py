"""Every seed action type is recorded by the request that causes it, buffered and written in
batches off the request path, with a session id, the client's address encrypted."""

from decimal import Decimal

import pytest
from cryptography.fernet import Fernet
from django.urls import reverse
from prometheus_client import REGISTRY

from apps.accounts.tests.factories import UserFactory
from apps.analytics import recording
from apps.analytics.buffer import buffer
from apps.analytics.models import UserActivityLog
from apps.analytics.privacy import ip_decrypt
from apps.analytics.recording import activity_flush
from apps.catalog.tests.factories import EpisodeFactory, MovieFactory
from apps.core.activity import activity_emit_on_commit
from apps.core.context import RequestContext
from apps.recommendations.models import RecommendationReason, UserRecommendation
from conftest import client_for

pytestmark = pytest.mark.django_db


def events(action_type: str | None = None) -> list[UserActivityLog]:
    activity_flush()
    rows = UserActivityLog.objects.order_by("id")
    return list(rows.filter(action_type=action_type) if action_type else rows)


def counter(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


# Each action type, recorded by the request that causes it -------------------------------------


def test_opening_a_movie_records_movie_view_on_the_drf_and_the_cached_path(api_client, user):
    movie = MovieFactory()
    url = reverse("movie-detail", args=[movie.pk])

    assert api_client.get(url).status_code == 200  # rendered by DRF, then cached
    assert api_client.get(url).status_code == 200  # the anonymous fast path's bytes
    assert client_for(user).get(url).status_code == 200  # signed in

    views = events("movie_view")
    assert [(e.movie_id, e.user_id) for e in views] == [
        (movie.pk, None),
        (movie.pk, None),
        (movie.pk, user.pk),
    ]


def test_a_missing_movie_records_no_view(api_client):
    assert api_client.get(reverse("movie-detail", args=[999999])).status_code == 404
    assert events() == []


def test_a_search_records_its_query_and_number_of_results_cached_or_not(api_client):
    MovieFactory(title="Alien")
    MovieFactory(title="Aliens")
    MovieFactory(title="Heat")

    for _ in range(2):  # the second answer is the cached bytes
        assert api_client.get(reverse("search"), {"q": " Alien "}).status_code == 200

    searches = events("movie_search")
    assert [e.metadata for e in searches] == [{"query": "Alien", "type": "movie", "results": 2}] * 2


def test_a_movie_list_with_a_query_is_a_search_too(api_client):
    MovieFactory(title="Heat")
    assert api_client.get(reverse("movie-list"), {"q": "nothing like it"}).status_code == 200

    assert [e.metadata["results"] for e in events("movie_search")] == [0]


def _recommendation(user, movie, engine="content") -> UserRecommendation:
    reason = RecommendationReason.objects.create(text=f"because {engine}")
    return UserRecommendation.objects.create(
        user=user, movie=movie, score=0.9, algorithm=engine, rank=1, reason=reason
    )


def test_a_click_on_a_recommendation_records_it_with_its_engine(
    user, django_capture_on_commit_callbacks
):
    movie = MovieFactory()
    row = _recommendation(user, movie)
    url = reverse("recommendation-click", args=[row.pk])

    with django_capture_on_commit_callbacks(execute=True):
        assert client_for(user).post(url).status_code == 200
        assert client_for(user).post(url).status_code == 200

    clicks = events("recommendation_click")
    assert [(e.user_id, e.movie_id, e.metadata["first"]) for e in clicks] == [
        (user.pk, movie.pk, True),
        (user.pk, movie.pk, False),
    ]
    assert clicks[0].metadata["engine"] == "content"
    assert (clicks[0].metadata["experiment"], clicks[0].metadata["arm"]) == ("", "")


def test_a_list_of_recommendations_shown_records_an_impression_by_engine(user):
    movies = [MovieFactory(), MovieFactory()]
    for rank, movie in enumerate(movies, start=1):
        UserRecommendation.objects.create(
            user=user,
            movie=movie,
            score=0.5,
            algorithm="content",
            rank=rank,
            reason=RecommendationReason.objects.get_or_create(text="r")[0],
        )

    response = client_for(user).get(reverse("me-recommendations"), {"engine": "content"})
    assert response.status_code == 200

    (shown,) = events("recommendation_impression")
    assert shown.user_id == user.pk
    assert shown.metadata["engine"] == "content"
    assert shown.metadata["count"] == len(response.json()["data"])
    assert shown.metadata["movie_ids"] == [item["movie"]["id"] for item in response.json()["data"]]


@pytest.mark.parametrize(
    ("method", "route", "body", "action_type"),
    [
        ("put", "movie-rating", {"rating": 4.5}, "rating_submit"),
        ("post", "movie-favorite", {}, "favorite_add"),
        ("post", "movie-watchlist", {}, "watchlist_add"),
        ("post", "movie-like", {}, "like_add"),
        ("post", "movie-dislike", {}, "dislike_add"),
        ("post", "movie-share", {}, "movie_share"),
        ("post", "movie-view", {}, "movie_view"),
    ],
)
def test_each_interaction_records_its_action(
    user, django_capture_on_commit_callbacks, method, route, body, action_type
):
    movie = MovieFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = getattr(client_for(user), method)(
            reverse(route, args=[movie.pk]), body, format="json"
        )
    assert response.status_code in (200, 201)

    (event,) = events()
    assert (event.action_type, event.user_id, event.movie_id) == (action_type, user.pk, movie.pk)
    if action_type == "rating_submit":
        assert Decimal(event.metadata["rating"]) == Decimal("4.5")


def test_removing_a_favorite_records_favorite_remove(user, django_capture_on_commit_callbacks):
    movie = MovieFactory()
    client = client_for(user)
    url = reverse("movie-favorite", args=[movie.pk])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.delete(url).status_code == 200

    assert [e.action_type for e in events()] == ["favorite_add", "favorite_remove"]


def test_an_episode_review_records_review_submit(user, django_capture_on_commit_callbacks):
    episode = EpisodeFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(user).post(
            reverse("episode-reviews", args=[episode.pk]), {"rating": 8}, format="json"
        )
    assert response.status_code == 201

    (event,) = events("review_submit")
    assert event.metadata["episode_id"] == episode.pk


@pytest.mark.parametrize(
    ("action_type", "source"),
    [("email_open", "email"), ("email_click", "email"), ("push_click", "push")],
)
def test_what_notifications_report_through_the_activity_signal_is_recorded(
    django_capture_on_commit_callbacks, action_type, source
):
    with django_capture_on_commit_callbacks(execute=True):
        activity_emit_on_commit(
            event=action_type, user_id=4, movie_id=None, metadata={"n": 1}, source=source
        )

    (event,) = events()
    assert (event.action_type, event.source, event.user_id, event.metadata) == (
        action_type,
        source,
        4,
        {"n": 1},
    )


# Batched, off the request path ----------------------------------------------------------------


def test_a_request_only_appends_to_the_buffer_and_a_flush_writes_the_batch_in_one_insert(
    api_client, django_assert_num_queries
):
    movie = MovieFactory()
    for _ in range(5):
        api_client.get(reverse("movie-detail", args=[movie.pk]))

    assert UserActivityLog.objects.count() == 0
    assert buffer("events").size() == 5
    with django_assert_num_queries(1):
        assert activity_flush() == 5
    assert UserActivityLog.objects.count() == 5
    assert buffer("events").size() == 0


def test_a_failed_write_is_counted_logged_once_and_retried_by_the_next_flush(monkeypatch, caplog):
    for n in range(3):
        recording.activity_enqueue(action_type="movie_view", movie_id=n)
    before = counter("analytics_activity_write_failures_total", stage="write")

    def down(*args, **kwargs):
        raise RuntimeError("analytics database down")

    with monkeypatch.context() as patch:
        patch.setattr(recording, "activity_rows_write", down)
        assert activity_flush() == 0
        assert activity_flush() == 0

    assert counter("analytics_activity_write_failures_total", stage="write") == before + 6
    assert [r.message for r in caplog.records].count("activity_write_failed") == 1
    assert activity_flush() == 3
    assert sorted(UserActivityLog.objects.values_list("movie_id", flat=True)) == [0, 1, 2]


def test_an_outage_keeps_at_most_the_buffer_limit_dropping_the_oldest(monkeypatch, settings):
    settings.ANALYTICS_BUFFER_MAX = 2
    for n in range(4):
        recording.activity_enqueue(action_type="movie_view", movie_id=n)
    before = counter("analytics_activity_dropped_total")

    def down(*args, **kwargs):
        raise RuntimeError("analytics database down")

    with monkeypatch.context() as patch:
        patch.setattr(recording, "activity_rows_write", down)
        activity_flush()

    assert counter("analytics_activity_dropped_total") == before + 2
    activity_flush()
    assert sorted(UserActivityLog.objects.values_list("movie_id", flat=True)) == [2, 3]


def test_a_buffer_that_fails_never_fails_the_request_and_is_counted(
    api_client, monkeypatch, caplog
):
    movie = MovieFactory()
    before = counter("analytics_activity_write_failures_total", stage="buffer")

    def down(self, entry):
        raise ConnectionError("redis down")

    monkeypatch.setattr(type(buffer("events")), "push", down)
    assert api_client.get(reverse("movie-detail", args=[movie.pk])).status_code == 200
    assert api_client.get(reverse("movie-detail", args=[movie.pk])).status_code == 200

    assert counter("analytics_activity_write_failures_total", stage="buffer") == before + 2
    assert [r.message for r in caplog.records].count("activity_buffer_failed") == 1


def test_the_failure_counters_are_in_metrics(api_client):
    recording.WRITE_FAILURES.labels(stage="write")  # the series exists from the start
    body = api_client.get("/metrics").content.decode()
    assert "analytics_activity_write_failures_total" in body
    assert "analytics_activity_dropped_total" in body


def test_an_unreadable_entry_is_dropped_and_the_rest_written():
    buffer("events").push(b"not json")
    recording.activity_enqueue(action_type="movie_view", movie_id=1)

    assert activity_flush() == 1


def test_without_redis_a_request_that_finds_a_flush_due_writes_the_batch(settings):
    settings.ANALYTICS_MEMORY_AUTOFLUSH = True
    settings.ANALYTICS_BATCH_SIZE = 3
    if type(buffer("events")).__name__ != "MemoryBuffer":
        pytest.skip("the Redis buffer is written by the beat task, not by requests")
    settings.ANALYTICS_FLUSH_SECONDS = 3600
    buffer("events").take(0)  # now is the last flush
    for n in range(2):
        recording.activity_enqueue(action_type="movie_view", movie_id=n)
    assert UserActivityLog.objects.count() == 0
    recording.activity_enqueue(action_type="movie_view", movie_id=2)
    assert UserActivityLog.objects.count() == 3


# Who: session id, encrypted address ------------------------------------------------------------


def test_one_clients_requests_share_a_session_id_that_is_not_the_request_id(api_client):
    movie = MovieFactory()
    url = reverse("movie-detail", args=[movie.pk])
    first = api_client.get(url, REMOTE_ADDR="198.51.100.7", HTTP_USER_AGENT="A")
    api_client.get(url, REMOTE_ADDR="198.51.100.7", HTTP_USER_AGENT="A")
    api_client.get(url, REMOTE_ADDR="198.51.100.8", HTTP_USER_AGENT="A")  # another client

    one, two, other = events()
    assert one.session_id == two.session_id != other.session_id
    assert one.session_id not in ("", first["X-Request-ID"])


def test_a_signed_in_user_keeps_one_session_across_addresses_until_idle(user, settings):
    movie = MovieFactory()
    url = reverse("movie-detail", args=[movie.pk])
    client = client_for(user)
    client.get(url, REMOTE_ADDR="198.51.100.7")
    client.get(url, REMOTE_ADDR="203.0.113.9")
    first, second = events()
    assert first.session_id == second.session_id

    settings.ANALYTICS_SESSION_IDLE_SECONDS = 0  # any gap ends the session
    client.get(url)
    assert events()[-1].session_id != first.session_id


def test_a_client_session_header_is_used_as_is(api_client):
    movie = MovieFactory()
    api_client.get(reverse("movie-detail", args=[movie.pk]), HTTP_X_SESSION_ID="app-42")
    api_client.get(reverse("movie-detail", args=[movie.pk]), HTTP_X_SESSION_ID="bad id!")

    sane, junk = events()
    assert sane.session_id == "app-42"
    assert junk.session_id not in ("", "bad id!")


def test_the_address_is_stored_encrypted_and_opens_with_the_key(api_client, settings):
    movie = MovieFactory()
    api_client.get(reverse("movie-detail", args=[movie.pk]), REMOTE_ADDR="203.0.113.7")
    api_client.get(reverse("movie-detail", args=[movie.pk]), REMOTE_ADDR="203.0.113.7")

    one, two = events()
    assert "203.0.113.7" not in one.ip_address
    assert one.ip_address != two.ip_address  # a fresh IV each time: no address to follow
    assert ip_decrypt(one.ip_address) == ip_decrypt(two.ip_address) == "203.0.113.7"
    assert UserActivityLog.objects.filter(ip_address__contains="203.0.113").count() == 0


def test_a_rotated_key_still_opens_old_addresses_and_another_key_does_not(settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.ANALYTICS_IP_KEYS = [old]
    recording.activity_enqueue(
        action_type="login", context=RequestContext("r", {"REMOTE_ADDR": "192.0.2.1"})
    )
    (stored,) = events()

    settings.ANALYTICS_IP_KEYS = [new, old]
    assert ip_decrypt(stored.ip_address) == "192.0.2.1"
    settings.ANALYTICS_IP_KEYS = [new]
    assert ip_decrypt(stored.ip_address) is None


def test_a_deleted_users_buffered_and_written_events_are_detached(
    django_capture_on_commit_callbacks,
):
    doomed = UserFactory()
    recording.activity_enqueue(action_type="movie_view", user_id=doomed.pk)
    activity_flush()
    with django_capture_on_commit_callbacks(execute=True):
        doomed.delete()

    assert list(UserActivityLog.objects.values_list("user_id", flat=True)) == [None]


def test_the_beat_task_writes_what_waits(settings):
    from apps.analytics.tasks import activity_flush_task

    assert settings.CELERY_BEAT_SCHEDULE["analytics-activity-flush"]["task"] == (
        activity_flush_task.name
    )
    recording.activity_enqueue(action_type="movie_view", movie_id=5)
    assert activity_flush_task.delay() is not None
    assert list(UserActivityLog.objects.values_list("movie_id", flat=True)) == [5]
