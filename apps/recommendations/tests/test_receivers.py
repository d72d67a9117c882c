"""What an interaction write does to the user's recommendations (receivers.py): the next read
reflects it at once, and the refresh that folds it in is due at once, run by a drain shared by
every writer, and spaced per user."""

from datetime import timedelta
from unittest.mock import patch

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.accounts.tests.factories import UserFactory
from apps.core import tasks as core_tasks
from apps.recommendations import services
from apps.recommendations.models import RecommendationState, UserRecommendation
from apps.recommendations.tests import fixtures
from apps.recommendations.tests.fixtures import interactions_add
from conftest import client_for

models_in_tmp = fixtures.models_in_tmp
world = fixtures.world
trained_world = fixtures.trained_world
enqueued = fixtures.enqueued

URL = reverse("me-recommendations")


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


DRAIN = ("recommendations.refresh_drain", services.REFRESH_COUNTDOWN)


def _drain() -> list[int]:
    """The users a broker's drain would refresh now (their refreshes recorded, not run)."""
    with patch.object(
        services, "recommendations_refresh_many", lambda *, user_ids, **kwargs: user_ids
    ):
        return services.recommendations_refresh_drain()


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

    assert enqueued == [DRAIN]  # one drain for the three writes
    assert _drain() == []  # just refreshed: the refresh waits out the interval
    RecommendationState.objects.filter(user=user).update(
        refreshed_at=timezone.now() - services.REFRESH_MIN_INTERVAL
    )
    assert _drain() == [user.pk]
    assert _drain() == []


def test_the_first_write_after_a_quiet_spell_is_folded_in_at_once(
    trained_world, enqueued, django_capture_on_commit_callbacks
):
    user = UserFactory()
    interactions_add(user, trained_world.romance[:2])
    client = client_for(user)
    _ids(client)
    RecommendationState.objects.filter(user=user).update(
        refreshed_at=timezone.now() - services.REFRESH_MIN_INTERVAL - timedelta(seconds=1)
    )

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("movie-like", args=[trained_world.scifi[0].id]), {}, format="json")

    assert enqueued == [DRAIN]
    assert _drain() == [user.pk]


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
    assert state.refresh_due_at is not None
    assert enqueued == [DRAIN]
    assert not UserRecommendation.objects.filter(user=user).exists()


def test_a_process_asks_redis_again_only_once_the_drain_it_scheduled_may_have_begun(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    from apps.recommendations.tasks import recommendations_refresh_drain_task

    monkeypatch.setitem(recommendations_refresh_drain_task.app.conf, "task_always_eager", False)
    sent, asked = [], []  # the drain's messages and cache round trips (not the fold's)

    def send(task, *args, countdown=None, **kwargs):
        if task.name.startswith("recommendations."):
            sent.append(countdown)
        return True

    add = core_tasks.cache_add_or_get

    def ask(key, *args):
        if key == services.DRAIN.key:
            asked.append(key)
        return add(key, *args)

    monkeypatch.setattr(core_tasks, "enqueue", send)
    monkeypatch.setattr(core_tasks, "cache_add_or_get", ask)
    users = [UserFactory(), UserFactory()]
    with django_capture_on_commit_callbacks(execute=True):
        for user in users:
            for movie in world.scifi[:2]:
                client_for(user).post(reverse("movie-like", args=[movie.id]), {}, format="json")

    # Four writes of two users, one drain, and the writes after the first skip Redis (their
    # commits come before the drain can start).
    assert sent == [services.REFRESH_COUNTDOWN]
    assert asked == [services.DRAIN.key]
    assert RecommendationState.objects.filter(change_count=2).count() == 2

    services.DRAIN.forget()  # the drain began: the next write asks Redis again
    services.recommendations_refresh_drain_schedule()
    assert asked == [services.DRAIN.key] * 2


def test_after_the_drain_refreshed_a_user_their_next_read_is_the_answer_it_cached(
    trained_world, enqueued, django_capture_on_commit_callbacks
):
    from apps.core.cache import MISSING, namespace_invalidate, versioned_get
    from apps.recommendations.answers import DEFAULT_LIMIT, served_slot

    user = UserFactory()
    interactions_add(user, trained_world.romance[:2])
    client = client_for(user)
    before = client.get(URL)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("movie-like", args=[trained_world.scifi[0].id]), {}, format="json")
    slot = served_slot(user_id=user.pk, engine=None, limit=DEFAULT_LIMIT)
    assert versioned_get(slot.namespace, slot.parts, depends_on=slot.depends_on)[0] is MISSING
    RecommendationState.objects.filter(user=user).update(
        refreshed_at=timezone.now() - services.REFRESH_MIN_INTERVAL
    )

    assert services.recommendations_refresh_drain() == [user.pk]

    body, meta = versioned_get(slot.namespace, slot.parts, depends_on=slot.depends_on)[0]
    assert meta[0] == "hybrid" and 0 < len(meta[2]) <= DEFAULT_LIMIT
    assert client.get(URL).content == body
    assert body != before.content  # the refreshed lists, not the ones served before the like
    namespace_invalidate(slot.namespace)  # the view makes the same bytes on a miss
    assert client.get(URL).content == body


def test_a_drain_refreshes_its_users_together_in_the_queries_of_one(trained_world, enqueued):
    """The users a drain takes are refreshed and answered together: a drain of five users runs
    as many queries as a drain of one, and each user's cached answer is the view's."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from apps.core.cache import namespace_invalidate, versioned_get
    from apps.recommendations.answers import DEFAULT_LIMIT, served_slot

    def drain_of(count: int) -> tuple[list, int]:
        users = [UserFactory() for _ in range(count)]
        for index, user in enumerate(users):
            interactions_add(user, trained_world.scifi[index : index + 2])
            RecommendationState.objects.update_or_create(
                user=user, defaults={"change_count": 1, "refresh_due_at": timezone.now()}
            )
        with CaptureQueriesContext(connection) as queries:
            refreshed = services.recommendations_refresh_drain()
        assert refreshed == sorted(user.pk for user in users)
        return users, len(queries.captured_queries)

    # Loads the engines and stores the reasons these histories give (a reason new to its
    # table costs an insert and a read more): the drains below meet only known reasons.
    drain_of(5)
    _, one = drain_of(1)
    users, five = drain_of(5)

    assert five == one
    for user in users:
        assert not RecommendationState.objects.get(user=user).is_stale
        slot = served_slot(user_id=user.pk, engine=None, limit=DEFAULT_LIMIT)
        body, meta = versioned_get(slot.namespace, slot.parts, depends_on=slot.depends_on)[0]
        assert 0 < len(meta[2]) <= DEFAULT_LIMIT
        client = client_for(user)
        assert client.get(URL).content == body
        namespace_invalidate(slot.namespace)  # the view makes the same bytes on a miss
        assert client.get(URL).content == body
