"""Training refreshes users a batch at a time: the same rows as one user at a time, same rules."""

import threading

import pytest
from django.db import connection
from django.utils import timezone

from apps.accounts.tests.factories import UserFactory
from apps.core.testing import postgres_only
from apps.recommendations import storing
from apps.recommendations.models import (
    DismissedMovie,
    FeedbackType,
    RecommendationReason,
    RecommendationState,
    UserRecommendation,
)
from apps.recommendations.reasons import Scored
from apps.recommendations.services import (
    recommendations_refresh,
    recommendations_refresh_all,
    recommender_train,
)
from apps.recommendations.storing import ListsToStore, recommendations_store_many
from apps.recommendations.tests import fixtures
from apps.recommendations.tests.fixtures import interactions_add

# Fixtures of the serving tests (the project keeps one conftest.py).
models_in_tmp = fixtures.models_in_tmp
world = fixtures.world
trained_world = fixtures.trained_world


def stored_rows() -> set[tuple]:
    return set(
        UserRecommendation.objects.filter(rank__isnull=False).values_list(
            "user_id", "movie_id", "algorithm", "rank", "score", "reason__text"
        )
    )


def test_training_batch_stores_the_rows_a_refresh_of_each_user_stores(trained_world, monkeypatch):
    # Both sides name their reasons within a time budget; a garbage collection pause inside
    # one of them (a few hundred ms on a loaded machine) would leave it the general reasons.
    # This test compares the rows, so the budget is lifted.
    monkeypatch.setattr("apps.recommendations.reasons.EXPLAIN_BUDGET_SECONDS", 60.0)
    first, second = UserFactory(), UserFactory()
    interactions_add(first, trained_world.scifi[:2])
    interactions_add(second, trained_world.romance[:1], interaction_type="favorite")

    recommendations_refresh_all()
    batch = stored_rows()
    for user_id in sorted({row[0] for row in batch}):
        recommendations_refresh(user_id=user_id)

    assert stored_rows() == batch
    reasons = {row[5] for row in batch if row[0] == first.id and row[2] == "hybrid"}
    assert any(reason.startswith("Because you liked") for reason in reasons)


def test_batch_store_never_overwrites_lists_of_a_newer_refresh(trained_world):
    newer, older = UserFactory(), UserFactory()
    movie = trained_world.scifi[0]
    for user in (newer, older):
        RecommendationState.objects.create(user=user, change_count=5)
    RecommendationState.objects.filter(user=newer).update(
        refreshed_count=5, refreshed_at=timezone.now()
    )
    lists = {"hybrid": [Scored(movie.id, 0.5, "Picked for your taste")]}

    stored = recommendations_store_many(
        batch=[
            ListsToStore(user_id=newer.id, lists=lists, seen_count=4),
            ListsToStore(user_id=older.id, lists=lists, seen_count=4),
        ]
    )

    assert stored == {older.id}
    assert not UserRecommendation.objects.filter(user=newer).exists()
    assert RecommendationState.objects.get(user=older).refreshed_count == 4


def test_batch_store_drops_dismissed_movies_and_keeps_clicked_rows_out_of_the_lists(world):
    user = UserFactory()
    RecommendationState.objects.create(user=user)
    alien, aliens, dune = world.scifi[0], world.scifi[1], world.scifi[4]
    clicked = UserRecommendation.objects.create(
        user=user,
        movie=dune,
        algorithm="hybrid",
        score=0.9,
        rank=1,
        clicked=True,
        reason=RecommendationReason.objects.create(text="Picked for your taste"),
    )
    DismissedMovie.objects.create(user=user, movie=alien, feedback_type=FeedbackType.NOT_INTERESTED)
    lists = {"hybrid": [Scored(alien.id, 1.0, "a"), Scored(aliens.id, 0.7, "b")]}

    recommendations_store_many(batch=[ListsToStore(user_id=user.id, lists=lists, seen_count=0)])

    ranked = UserRecommendation.objects.filter(user=user, rank__isnull=False)
    assert list(ranked.values_list("movie_id", "rank", "reason__text")) == [(aliens.id, 1, "b")]
    clicked.refresh_from_db()
    assert clicked.rank is None and clicked.clicked


def test_many_rows_take_the_bulk_path_and_update_what_is_already_stored(world, monkeypatch):
    monkeypatch.setattr(storing, "COPY_THRESHOLD", 1)
    users = [UserFactory() for _ in range(3)]
    RecommendationState.objects.bulk_create(RecommendationState(user=user) for user in users)
    movies = world.movies

    def batch(score: float) -> list[ListsToStore]:
        ranked = [Scored(movie.id, score, f"reason {score}") for movie in movies]
        return [ListsToStore(user.id, {"content": ranked}, 0) for user in users]

    recommendations_store_many(batch=batch(0.25))
    ids = set(UserRecommendation.objects.values_list("id", flat=True))
    recommendations_store_many(batch=batch(0.75))

    assert set(UserRecommendation.objects.values_list("id", flat=True)) == ids
    assert set(UserRecommendation.objects.values_list("score", "reason__text")) == {
        (0.75, "reason 0.75")
    }
    assert UserRecommendation.objects.count() == len(users) * len(movies)


@postgres_only
@pytest.mark.performance  # the thread is a throughput decision; the lists are checked too
@pytest.mark.django_db(transaction=True)
def test_training_on_postgresql_stores_batches_in_a_background_thread(trained_world, monkeypatch):
    users = [UserFactory() for _ in range(3)]
    for user in users:
        interactions_add(user, trained_world.scifi[:3])
    threads = []
    store = storing.batch_store

    def recording_store(batch):
        threads.append(threading.current_thread().name)
        store(batch)

    monkeypatch.setattr(storing, "batch_store", recording_store)
    assert not connection.in_atomic_block

    figures = recommender_train()

    assert threads and all(name.startswith("recs-store") for name in threads)
    assert figures["refreshed_users"] == RecommendationState.objects.count()
    for user in users:
        state = RecommendationState.objects.get(user=user)
        assert not state.is_stale
        assert UserRecommendation.objects.filter(user=user, algorithm="hybrid").count() > 0
