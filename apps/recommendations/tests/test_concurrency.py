"""Races on PostgreSQL: refreshes of one user at once, and two trainings activating at once."""

import threading
from collections import Counter

import pytest
from django.db import connection

from apps.accounts.tests.factories import UserFactory
from apps.core.testing import postgres_only
from apps.recommendations.models import ModelArtifact, RecommendationState, UserRecommendation
from apps.recommendations.registry import artifact_activate
from apps.recommendations.services import recommendations_refresh
from apps.recommendations.tests import fixtures
from apps.recommendations.tests.fixtures import interactions_add

# Fixtures of the serving tests (the project keeps one conftest.py).
models_in_tmp = fixtures.models_in_tmp
world = fixtures.world
trained_world = fixtures.trained_world


def _run_at_once(target, count: int) -> list[BaseException]:
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def run():
        try:
            barrier.wait()
            target()
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_refreshes_of_one_user_leave_one_consistent_list(trained_world):
    user = UserFactory()
    interactions_add(user, trained_world.scifi[:2])

    errors = _run_at_once(lambda: recommendations_refresh(user_id=user.id), 4)

    assert errors == []
    rows = UserRecommendation.objects.filter(user=user, rank__isnull=False)
    per_engine = Counter(rows.values_list("algorithm", flat=True))
    assert set(per_engine.values()) == {len(trained_world.movies) - 2}
    for engine in per_engine:
        ranks = sorted(rows.filter(algorithm=engine).values_list("rank", flat=True))
        assert ranks == list(range(1, per_engine[engine] + 1))
    assert RecommendationState.objects.filter(user=user).count() == 1


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_activations_leave_exactly_one_active_version(trained_world):
    from apps.recommendations.services import recommender_train

    recommender_train(engine_names=("hybrid",), refresh=False)
    versions = list(ModelArtifact.objects.filter(engine="hybrid"))
    assert len(versions) == 2

    errors = _run_at_once(lambda: [artifact_activate(artifact=v) for v in versions], 4)

    assert errors == []
    assert ModelArtifact.objects.filter(engine="hybrid", is_active=True).count() == 1


def test_an_older_version_can_be_activated_again(trained_world, django_capture_on_commit_callbacks):
    from apps.recommendations.registry import engine_get
    from apps.recommendations.services import recommender_train

    first = ModelArtifact.objects.get(engine="hybrid", is_active=True)
    with django_capture_on_commit_callbacks(execute=True):
        recommender_train(engine_names=("hybrid",), refresh=False)
        assert engine_get("hybrid").version == 2
        artifact_activate(artifact=first)

    assert engine_get("hybrid").version == first.version
    assert ModelArtifact.objects.filter(engine="hybrid", is_active=True).get() == first
