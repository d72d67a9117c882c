"""Side effects of interaction writes: the signal (in the write's transaction), then after
commit the analytics event and the cache drop."""

from unittest import mock

import pytest
from django.db import connection

from apps.analytics import receivers as analytics_receivers
from apps.analytics.models import UserActivityLog
from apps.analytics.recording import activity_flush
from apps.catalog.cache import movie_namespace
from apps.core.cache import namespace_version
from apps.interactions.models import Interaction
from apps.interactions.signals import interaction_changed
from apps.interactions.tests.factories import MovieFactory

pytestmark = pytest.mark.django_db(databases="__all__")


@pytest.fixture
def received():
    events = []

    def receiver(sender, **kwargs):
        events.append(kwargs)

    interaction_changed.connect(receiver, weak=False)
    yield events
    interaction_changed.disconnect(receiver)


@pytest.fixture
def failing_receiver():
    calls = []

    def receiver(sender, **kwargs):
        calls.append(kwargs["action"])
        raise RuntimeError("the recommendations store is down")

    interaction_changed.connect(receiver, weak=False)
    yield calls
    interaction_changed.disconnect(receiver)


def test_a_write_sends_interaction_changed_inside_its_transaction(
    auth_client, user, received, django_capture_on_commit_callbacks
):
    movie = MovieFactory()

    with django_capture_on_commit_callbacks(execute=False):
        auth_client.post(f"/api/v1/movies/{movie.pk}/like/", {}, format="json")

    # Sent before the commit (receivers write in the write's transaction): no callback ran.
    # On PostgreSQL the like is one call of a database function that also did the receivers'
    # database side (services.membership_add).
    assert received == [
        {
            "signal": interaction_changed,
            "user_id": user.pk,
            "movie_id": movie.pk,
            "interaction_type": "like",
            "action": "added",
            "applied_in_database": connection.vendor == "postgresql",
        }
    ]


def test_liking_a_disliked_movie_reports_both_changes(
    auth_client, user, received, django_capture_on_commit_callbacks
):
    movie = MovieFactory()
    auth_client.post(f"/api/v1/movies/{movie.pk}/dislike/", {}, format="json")
    received.clear()

    with django_capture_on_commit_callbacks(execute=True):
        auth_client.post(f"/api/v1/movies/{movie.pk}/like/", {}, format="json")

    assert [(event["interaction_type"], event["action"]) for event in received] == [
        ("dislike", "removed"),
        ("like", "added"),
    ]


def test_a_repeat_that_changes_nothing_sends_nothing(
    auth_client, received, django_capture_on_commit_callbacks
):
    movie = MovieFactory()
    auth_client.post(f"/api/v1/movies/{movie.pk}/watchlist/", {}, format="json")
    received.clear()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        auth_client.post(f"/api/v1/movies/{movie.pk}/watchlist/", {}, format="json")

    assert callbacks == []
    assert received == []


def test_a_failing_receiver_does_not_fail_the_write(
    auth_client, user, failing_receiver, django_capture_on_commit_callbacks
):
    movie = MovieFactory()

    with django_capture_on_commit_callbacks(execute=True):
        response = auth_client.post(f"/api/v1/movies/{movie.pk}/favorite/", {}, format="json")

    assert failing_receiver == ["added"]
    assert response.status_code == 201
    assert Interaction.objects.filter(user=user, movie=movie).exists()


def test_a_write_records_an_analytics_event(auth_client, user, django_capture_on_commit_callbacks):
    movie = MovieFactory()

    with django_capture_on_commit_callbacks(execute=True):
        auth_client.put(f"/api/v1/movies/{movie.pk}/rating/", {"rating": 3.5}, format="json")

    activity_flush()  # analytics writes recorded events in batches
    event = UserActivityLog.objects.get()
    assert (event.action_type, event.user_id, event.movie_id) == (
        "rating_submit",
        user.pk,
        movie.pk,
    )
    assert event.metadata["action"] == "added"


def test_a_failing_analytics_store_does_not_fail_the_write(
    auth_client, user, django_capture_on_commit_callbacks
):
    movie = MovieFactory()

    with (
        mock.patch.object(
            analytics_receivers, "activity_enqueue", side_effect=RuntimeError("analytics down")
        ) as enqueue,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = auth_client.post(f"/api/v1/movies/{movie.pk}/like/", {}, format="json")

    assert enqueue.called
    assert response.status_code == 201
    movie.refresh_from_db()
    assert movie.like_count == 1


def test_an_aggregate_change_drops_the_movies_cached_detail(
    auth_client, django_capture_on_commit_callbacks
):
    movie = MovieFactory()
    before = namespace_version(movie_namespace(movie.pk))

    with django_capture_on_commit_callbacks(execute=True):
        auth_client.post(f"/api/v1/movies/{movie.pk}/like/", {}, format="json")

    assert namespace_version(movie_namespace(movie.pk)) > before


def test_a_rolled_back_write_leaves_nothing_behind(
    user, received, django_capture_on_commit_callbacks
):
    from django.db import transaction

    from apps.interactions.services import like_add
    from apps.recommendations.models import RecommendationState

    movie = MovieFactory()
    RecommendationState.objects.create(user=user, change_count=3, refreshed_count=3)

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        like_add(user=user, movie_id=movie.pk)
        raise RuntimeError("something later in the request failed")

    assert callbacks == []
    # The receivers ran in the transaction, and their writes rolled back with it.
    assert [event["action"] for event in received] == ["added"]
    assert RecommendationState.objects.get(user=user).change_count == 3
    assert not Interaction.objects.filter(user=user).exists()
    movie.refresh_from_db()
    assert movie.like_count == 0
