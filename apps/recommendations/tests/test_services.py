"""apps/recommendations/services.py, called directly."""

from datetime import timedelta
from unittest.mock import patch

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.accounts.tests.factories import UserFactory
from apps.catalog.tests.factories import MovieFactory
from apps.core.cache import cache_delete_many, namespace_version
from apps.core.testing import postgres_only
from apps.recommendations import services, storing
from apps.recommendations.models import (
    DismissedMovie,
    ModelArtifact,
    RecommendationFeedback,
    RecommendationReason,
    RecommendationState,
    UserRecommendation,
)
from apps.recommendations.registry import ACTIVE_NAMESPACE
from apps.recommendations.services import (
    recommendation_click,
    recommendation_feedback_give,
    recommendations_ensure_fresh,
    recommendations_mark_stale,
    recommendations_refresh,
    recommendations_refresh_all,
    recommendations_refresh_drain,
    recommendations_refresh_drain_schedule,
    recommendations_refresh_scheduled_many,
    recommender_train,
    user_cache_parts,
    user_namespace,
)
from apps.recommendations.tests import fixtures
from apps.recommendations.tests.fixtures import interactions_add

# Fixtures of the serving tests (the project keeps one conftest.py).
models_in_tmp = fixtures.models_in_tmp
world = fixtures.world
trained_world = fixtures.trained_world
enqueued = fixtures.enqueued


DRAIN = "recommendations.refresh_drain"


def rows(user, engine="hybrid") -> list[int]:
    return list(
        UserRecommendation.objects.filter(user=user, algorithm=engine, rank__isnull=False)
        .order_by("rank")
        .values_list("movie_id", flat=True)
    )


def test_user_cache_parts_change_when_another_model_is_activated():
    before = user_cache_parts(engine="hybrid", limit=20)

    services.namespace_invalidate(ACTIVE_NAMESPACE)

    assert before[:2] == ("hybrid", 20)
    assert user_cache_parts(engine="hybrid", limit=20) != before


@pytest.mark.django_db
def test_recommendations_mark_stale_counts_the_change_drops_the_cache_and_schedules_once(
    user, enqueued, django_capture_on_commit_callbacks
):
    cached_version = namespace_version(user_namespace(user.pk))

    with django_capture_on_commit_callbacks(execute=True):
        recommendations_mark_stale(user_id=user.pk)
    with django_capture_on_commit_callbacks(execute=True):
        recommendations_mark_stale(user_id=user.pk)

    state = RecommendationState.objects.get(user=user)
    assert (state.change_count, state.is_stale) == (2, True)
    assert state.refresh_due_at is not None
    assert namespace_version(user_namespace(user.pk)) > cached_version
    # The second change rides on the drain already waiting.
    assert enqueued == [(DRAIN, services.REFRESH_COUNTDOWN)]


@pytest.mark.django_db
def test_a_change_keeps_the_time_its_refresh_became_due(user, enqueued):
    recommendations_mark_stale(user_id=user.pk)
    first = RecommendationState.objects.get(user=user).refresh_due_at

    recommendations_mark_stale(user_id=user.pk)

    assert RecommendationState.objects.get(user=user).refresh_due_at == first


@pytest.mark.django_db
def test_a_drain_that_began_lets_the_next_change_schedule_another(enqueued):
    recommendations_refresh_drain_schedule()
    recommendations_refresh_drain_schedule()
    recommendations_refresh_drain()  # nothing due
    recommendations_refresh_drain_schedule()

    assert enqueued == [(DRAIN, services.REFRESH_COUNTDOWN)] * 2


def _refreshed_all(*, user_ids, engine=None, stored=False):
    return user_ids


def _due(user, *, due_seconds_ago: float, refreshed_seconds_ago: float | None) -> None:
    now = timezone.now()
    RecommendationState.objects.update_or_create(
        user=user,
        defaults={
            "change_count": 1,
            "refresh_due_at": now - timedelta(seconds=due_seconds_ago),
            "refreshed_at": (
                None
                if refreshed_seconds_ago is None
                else now - timedelta(seconds=refreshed_seconds_ago)
            ),
        },
    )


@pytest.mark.django_db
def test_a_drain_refreshes_due_users_no_sooner_than_the_interval_after_their_last_refresh(
    enqueued,
):
    interval = services.REFRESH_MIN_INTERVAL.total_seconds()
    never, long_ago, recently, not_due = (UserFactory() for _ in range(4))
    _due(never, due_seconds_ago=1, refreshed_seconds_ago=None)
    _due(long_ago, due_seconds_ago=1, refreshed_seconds_ago=interval + 5)
    _due(recently, due_seconds_ago=1, refreshed_seconds_ago=interval - 5)
    RecommendationState.objects.create(user=not_due, change_count=1, refreshed_count=1)
    refreshed = []

    def refresh(*, user_ids, **kwargs):
        refreshed.extend(user_ids)
        return user_ids

    with patch.object(services, "recommendations_refresh_many", refresh):
        taken = recommendations_refresh_drain()

    assert sorted(taken) == sorted([never.pk, long_ago.pk])
    assert sorted(refreshed) == sorted(taken)
    due = dict(RecommendationState.objects.values_list("user_id", "refresh_due_at"))
    assert due[never.pk] is None and due[long_ago.pk] is None
    assert due[recently.pk] is not None  # waits out its interval: the next drain is scheduled
    assert enqueued == [(DRAIN, services.REFRESH_COUNTDOWN)]


@pytest.mark.django_db
def test_a_drain_takes_a_batch_and_schedules_the_next_at_once_when_more_are_due(enqueued):
    users = [UserFactory() for _ in range(3)]
    for index, user in enumerate(users):
        _due(user, due_seconds_ago=10 - index, refreshed_seconds_ago=None)

    with patch.object(services, "recommendations_refresh_many", _refreshed_all):
        taken = recommendations_refresh_drain(batch=2)

    assert taken == [users[0].pk, users[1].pk]  # the oldest due first
    assert enqueued == [(DRAIN, 0)]
    assert RecommendationState.objects.filter(refresh_due_at__isnull=False).count() == 1


@pytest.mark.django_db
def test_a_drain_in_eager_mode_takes_every_due_user_however_recent_their_refresh(enqueued):
    user = UserFactory()
    _due(user, due_seconds_ago=0, refreshed_seconds_ago=1)

    with patch.object(services, "recommendations_refresh_many", _refreshed_all):
        assert recommendations_refresh_drain(every=True) == [user.pk]


@pytest.mark.django_db
def test_a_failed_refresh_leaves_the_lists_stale_for_the_next_read_and_the_others_refreshed(
    enqueued,
):
    failing, fine = UserFactory(), UserFactory()
    _due(failing, due_seconds_ago=2, refreshed_seconds_ago=None)
    _due(fine, due_seconds_ago=1, refreshed_seconds_ago=None)

    batches = []

    def refresh(*, user_ids, engine=None, stored=False):
        batches.append(user_ids)
        if failing.pk in user_ids:
            raise RuntimeError("engine file unreadable")
        return user_ids

    with patch.object(services, "recommendations_refresh_many", refresh):
        assert recommendations_refresh_drain() == [fine.pk]

    # Together first; when that fails, each alone.
    assert batches == [[failing.pk, fine.pk], [failing.pk], [fine.pk]]

    state = RecommendationState.objects.get(user=failing)
    assert state.is_stale and state.refresh_due_at is None  # not due: not on its way
    assert not services.recommendations_refresh_on_the_way(state=state)


def test_recommendations_refresh_stores_each_engines_list_and_marks_it_fresh(trained_world):
    user = UserFactory()
    interactions_add(user, trained_world.scifi[:3])

    assert recommendations_refresh(user_id=user.pk) is True

    unseen_scifi = {movie.pk for movie in trained_world.scifi[3:]}
    assert set(rows(user)[: len(unseen_scifi)]) == unseen_scifi
    assert not RecommendationState.objects.get(user=user).is_stale


@postgres_only
def test_postgresql_gets_a_users_rows_in_one_short_upsert_and_updates_them_in_place(user):
    """Hundreds of rows in one statement of eight parameters (storing._rows_upsert: a
    statement of more than 50 is split again by psycopg on every call)."""
    movies = [MovieFactory() for _ in range(60)]
    engines = ["hybrid", "collaborative", "content", "trending"]
    reason = RecommendationReason.objects.create(text="Picked for your taste")
    moment = timezone.now()

    def upsert(score: float) -> list[str]:
        found = [
            (user.pk, movie.pk, engine, score, rank + 1, reason.pk, None)
            for engine in engines
            for rank, movie in enumerate(movies)
        ]
        with CaptureQueriesContext(connection) as queries:
            storing._rows_upsert(found, generated_at=moment)
        return [query["sql"] for query in queries.captured_queries]

    statements = upsert(0.5)
    assert len(statements) == 1 and "unnest(" in statements[0]
    assert UserRecommendation.objects.filter(user=user).count() == 240

    upsert(0.25)
    stored = UserRecommendation.objects.filter(user=user)
    assert stored.count() == 240
    assert set(stored.values_list("score", flat=True)) == {0.25}
    assert stored.get(movie=movies[9], algorithm="content").rank == 10


def test_recommendations_ensure_fresh_refreshes_stale_lists_only(world, enqueued):
    user = UserFactory()
    interactions_add(user, world.comedy[:1])

    recommendations_ensure_fresh(user_id=user.pk)  # no lists yet: computed now
    first = rows(user)
    UserRecommendation.objects.filter(user=user).delete()
    recommendations_ensure_fresh(user_id=user.pk)  # fresh: nothing recomputed

    assert first
    assert rows(user) == []
    recommendations_mark_stale(user_id=user.pk)  # due; the drain is held by ``enqueued``
    recommendations_ensure_fresh(user_id=user.pk)
    assert rows(user) == []  # a refresh is on its way: the read serves what is stored
    # The drain was lost (a broker restart): once the refresh is overdue, reads do it.
    RecommendationState.objects.filter(user=user).update(
        refresh_due_at=timezone.now() - services.REFRESH_OVERDUE - timedelta(seconds=1)
    )
    recommendations_ensure_fresh(user_id=user.pk)
    assert rows(user) == first


def test_an_overdue_refresh_waits_for_the_drains_while_they_run(world, enqueued):
    """Drains running behind (a backlog) are not lost: the read serves the stored lists and
    leaves the work to them; once no drain has begun for REFRESH_OVERDUE, reads refresh."""
    user = UserFactory()
    interactions_add(user, world.comedy[:1])
    recommendations_ensure_fresh(user_id=user.pk)
    first = rows(user)
    UserRecommendation.objects.filter(user=user).delete()
    recommendations_mark_stale(user_id=user.pk)
    RecommendationState.objects.filter(user=user).update(
        refresh_due_at=timezone.now() - services.REFRESH_OVERDUE - timedelta(seconds=1)
    )
    with patch.object(services, "_due_take", lambda **kw: []):
        recommendations_refresh_drain()  # a drain begins (busy with others: takes nobody)
    recommendations_ensure_fresh(user_id=user.pk)
    assert rows(user) == []  # still due, the drains are running: not refreshed here
    cache_delete_many([services.DRAINING_KEY])  # none began for REFRESH_OVERDUE (its TTL)
    recommendations_ensure_fresh(user_id=user.pk)
    assert rows(user) == first


def test_a_read_does_not_refresh_while_the_scheduled_refresh_runs(world, enqueued):
    user = UserFactory()
    interactions_add(user, world.comedy[:1])
    recommendations_ensure_fresh(user_id=user.pk)
    recommendations_mark_stale(user_id=user.pk)
    calls = []

    def refresh_and_read(*, user_ids, engine=None, stored=False):
        calls.append(user_ids)
        if len(calls) == 1:  # the drain's refresh: a read arrives meanwhile
            recommendations_ensure_fresh(user_id=user_ids[0])
        return user_ids

    with patch.object(services, "recommendations_refresh_many", refresh_and_read):
        recommendations_refresh_scheduled_many(user_ids=[user.pk])

    assert calls == [[user.pk]]


def test_recommender_train_fits_and_activates_every_engine(world):
    for fan in (UserFactory(), UserFactory()):
        interactions_add(fan, world.scifi[:4])

    figures = recommender_train(refresh=False)

    assert set(figures["engines"]) == {"hybrid", "collaborative", "content", "trending"}
    assert ModelArtifact.objects.filter(is_active=True).count() == 4
    assert "refreshed_users" not in figures


def test_recommender_train_without_interactions_trains_nothing(world):
    assert recommender_train()["events"] == 0
    assert not ModelArtifact.objects.exists()


def test_recommendations_refresh_all_stores_lists_for_every_user_with_interactions(trained_world):
    newcomer = UserFactory()
    interactions_add(newcomer, trained_world.romance[:2])
    bystander = UserFactory()
    said = []

    refreshed = recommendations_refresh_all(report=said.append)

    assert refreshed == 23  # the world's 22 fans and the newcomer
    assert rows(newcomer) and rows(bystander) == []
    assert said[-1] == "refreshed 23 of 23 users"


@pytest.mark.django_db
def test_recommendation_click_is_recorded_once_with_its_first_time(user):
    recommendation = UserRecommendation.objects.create(
        user=user,
        movie=MovieFactory(),
        algorithm="hybrid",
        rank=1,
        score=0.5,
        reason=RecommendationReason.objects.get_or_create(text="Picked for your taste")[0],
    )

    first = recommendation_click(recommendation=recommendation).clicked_at
    again = recommendation_click(recommendation=recommendation)

    assert first is not None
    assert (again.clicked, again.clicked_at) == (True, first)


def test_recommendation_feedback_replaces_its_opposite_and_a_dismissal_is_for_good(
    trained_world, enqueued
):
    user = UserFactory()
    interactions_add(user, trained_world.scifi[:2])
    recommendations_refresh(user_id=user.pk)
    recommendation = UserRecommendation.objects.filter(user=user, rank=1).first()

    _, created = recommendation_feedback_give(
        recommendation=recommendation, feedback_type="positive"
    )
    _, created_again = recommendation_feedback_give(
        recommendation=recommendation, feedback_type="positive"
    )
    recommendation_feedback_give(recommendation=recommendation, feedback_type="negative")
    recommendation_feedback_give(recommendation=recommendation, feedback_type="not_interested")

    assert (created, created_again) == (True, False)
    kinds = set(RecommendationFeedback.objects.values_list("feedback_type", flat=True))
    assert kinds == {"negative", "not_interested"}
    assert DismissedMovie.objects.filter(user=user, movie=recommendation.movie).exists()
    assert not UserRecommendation.objects.filter(
        user=user, movie=recommendation.movie, rank__isnull=False
    ).exists()
