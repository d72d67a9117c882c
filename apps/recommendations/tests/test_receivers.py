"""What an interaction write does to the user's recommendations (receivers.py): the next read
reflects it at once, and the refresh that folds it in is coalesced per user."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.accounts.tests.factories import UserFactory
from apps.recommendations import receivers, services
from apps.recommendations.models import RecommendationState, UserRecommendation
from apps.recommendations.tests import fixtures
from apps.recommendations.tests.fixtures import interactions_add
from conftest import client_for

models_in_tmp = fixtures.models_in_tmp
world = fixtures.world
trained_world = fixtures.trained_world

URL = reverse("me-recommendations")


@pytest.fixture
def enqueued(monkeypatch) -> list:
    """Refreshes scheduled, as (user id, countdown), recorded instead of run."""
    sent = []

    def record(task, *args, countdown=None, **kwargs):
        sent.append((*args, countdown))
        return True

    monkeypatch.setattr(services, "enqueue", record)
    return sent


def _ids(client, limit=20) -> list[int]:
    response = client.get(URL, {"limit": limit})
    assert response.status_code == 200, response.content
    return [item["movie"]["id"] for item in response.json()["data"]]


@pytest.mark.parametrize(
    ("method", "route", "body"),
    [
        ("post", "movie-like", {}),
        ("put", "movie-rating", {"rating": 4.5}),
        ("post", "movie-favorite", {}),
        ("post", "movie-dislike", {}),
        ("post", "movie-watchlist", {}),
    ],
)
def test_the_next_read_drops_the_movie_written_before_any_refresh_runs(
    trained_world, enqueued, django_capture_on_commit_callbacks, method, route, body
):
    user = UserFactory()
    interactions_add(user, trained_world.scifi[:2])
    client = client_for(user)
    before = _ids(client)
    target = before[0]

    with django_capture_on_commit_callbacks(execute=True):
        response = getattr(client, method)(reverse(route, args=[target]), body, format="json")
    assert response.status_code in (200, 201), response.content

    after = _ids(client)
    assert enqueued, "a refresh is scheduled"  # held, not run: the lists are the stored ones
    assert RecommendationState.objects.get(user=user).is_stale
    assert target not in after
    assert after[: len(before) - 1] == before[1:]  # the rest as stored, until the refresh


def test_an_unlike_keeps_the_lists_until_the_refresh(
    trained_world, enqueued, django_capture_on_commit_callbacks
):
    user = UserFactory()
    interactions_add(user, trained_world.scifi[:2])
    client = client_for(user)
    before = _ids(client)

    with django_capture_on_commit_callbacks(execute=True):
        client.delete(reverse("movie-like", args=[trained_world.scifi[0].id]))

    assert _ids(client) == before
    assert RecommendationState.objects.get(user=user).is_stale


def test_writes_soon_after_a_refresh_share_one_refresh_at_the_end_of_the_interval(
    trained_world, enqueued, django_capture_on_commit_callbacks
):
    user = UserFactory()
    interactions_add(user, trained_world.romance[:2])
    client = client_for(user)
    _ids(client)  # the first read refreshes the lists now
    assert not RecommendationState.objects.get(user=user).is_stale

    with django_capture_on_commit_callbacks(execute=True):
        for movie in trained_world.scifi[:3]:
            client.post(reverse("movie-like", args=[movie.id]), {}, format="json")

    assert len(enqueued) == 1
    user_id, countdown = enqueued[0]
    assert user_id == user.pk
    # Just refreshed: the refresh waits out the rest of the interval (less the test's time).
    assert receivers.REFRESH_MIN_INTERVAL - 10 < countdown <= receivers.REFRESH_MIN_INTERVAL


def test_the_first_write_after_a_quiet_spell_is_folded_in_at_once(
    trained_world, enqueued, django_capture_on_commit_callbacks
):
    user = UserFactory()
    interactions_add(user, trained_world.romance[:2])
    client = client_for(user)
    _ids(client)
    RecommendationState.objects.filter(user=user).update(
        refreshed_at=timezone.now() - timedelta(seconds=receivers.REFRESH_MIN_INTERVAL + 1)
    )

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("movie-like", args=[trained_world.scifi[0].id]), {}, format="json")

    assert enqueued == [(user.pk, services.REFRESH_COUNTDOWN)]


def test_a_write_of_a_user_without_lists_creates_their_state(
    world, enqueued, django_capture_on_commit_callbacks
):
    user = UserFactory()

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(user).post(
            reverse("movie-like", args=[world.scifi[0].id]), {}, format="json"
        )

    assert response.status_code == 201
    state = RecommendationState.objects.get(user=user)
    assert (state.change_count, state.refreshed_at) == (1, None)
    assert enqueued == [(user.pk, services.REFRESH_COUNTDOWN)]
    assert not UserRecommendation.objects.filter(user=user).exists()


def test_a_process_asks_redis_again_only_once_the_refresh_it_scheduled_may_have_begun(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    from apps.recommendations.tasks import recommendations_refresh_task

    monkeypatch.setitem(recommendations_refresh_task.app.conf, "task_always_eager", False)
    monkeypatch.setattr(receivers, "_own_refresh_until", {})
    sent = []
    monkeypatch.setattr(
        services, "enqueue", lambda task, *args, countdown=None: sent.append(countdown) or True
    )
    asked = []
    schedule = receivers.recommendations_refresh_schedule
    monkeypatch.setattr(
        receivers,
        "recommendations_refresh_schedule",
        lambda **kwargs: asked.append(kwargs) or schedule(**kwargs),
    )
    user = UserFactory()
    RecommendationState.objects.create(user=user, refreshed_at=timezone.now())
    client = client_for(user)

    with django_capture_on_commit_callbacks(execute=True):
        for movie in world.scifi[:3]:
            client.post(reverse("movie-like", args=[movie.id]), {}, format="json")

    # Refreshed just now: one refresh at the end of the interval, and the writes after the
    # first skip Redis (their commits come before it).
    assert len(asked) == 1
    assert len(sent) == 1 and sent[0] > receivers.REFRESH_MIN_INTERVAL - 10
    assert RecommendationState.objects.get(user=user).change_count == 3
