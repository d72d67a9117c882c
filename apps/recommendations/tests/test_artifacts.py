"""Trained artifacts: versioned, one active per engine, and serving survives losing them."""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from apps.accounts.tests.factories import UserFactory
from apps.recommendations.engines import ENGINE_NAMES
from apps.recommendations.models import ModelArtifact, UserRecommendation
from apps.recommendations.registry import (
    ENGINE_FILE,
    KEEP_VERSIONS,
    engine_get,
    loaded_engines_forget,
    models_root,
)
from apps.recommendations.services import recommender_train
from apps.recommendations.tests import fixtures
from apps.recommendations.tests.fixtures import interactions_add
from conftest import client_for

# Fixtures of the serving tests (the project keeps one conftest.py).
models_in_tmp = fixtures.models_in_tmp
world = fixtures.world
trained_world = fixtures.trained_world

URL = reverse("me-recommendations")


def test_training_activates_one_version_of_each_engine_under_var_models(trained_world, settings):
    active = ModelArtifact.objects.filter(is_active=True)

    assert sorted(active.values_list("engine", flat=True)) == sorted(ENGINE_NAMES)
    for artifact in active:
        path = models_root() / artifact.path / ENGINE_FILE
        assert path.is_file()
        assert Path(settings.VAR_DIR) / "models" in path.parents
        assert artifact.stats["users"] == 22 and artifact.stats["events"] > 0


def test_retraining_activates_the_new_version_and_keeps_only_a_few_old_ones(
    trained_world, django_capture_on_commit_callbacks
):
    before = engine_get("hybrid")
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(KEEP_VERSIONS + 1):
            recommender_train(refresh=False)

    rows = ModelArtifact.objects.filter(engine="hybrid")
    assert rows.filter(is_active=True).count() == 1
    assert rows.get(is_active=True).version == KEEP_VERSIONS + 2
    assert rows.count() == KEEP_VERSIONS + 1
    after = engine_get("hybrid")
    assert after is not None and after.version == KEEP_VERSIONS + 2 > before.version
    on_disk = {f"hybrid/{p.name}" for p in (models_root() / "hybrid").iterdir()}
    assert on_disk == set(rows.values_list("path", flat=True))


def test_train_recommender_command_trains_and_refreshes_users_with_interactions(world, capsys):
    fan = UserFactory()
    interactions_add(fan, world.scifi[:3])
    interactions_add(UserFactory(), world.scifi[1:5])

    call_command("train_recommender")

    assert ModelArtifact.objects.filter(is_active=True).count() == len(ENGINE_NAMES)
    rows = UserRecommendation.objects.filter(user=fan, rank__isnull=False)
    # Training stores the default list; the others are made when first asked for.
    assert set(rows.values_list("algorithm", flat=True)) == {"hybrid"}
    assert '"refreshed_users": 2' in capsys.readouterr().out


def _break(engine: str, how: str) -> None:
    artifact = ModelArtifact.objects.get(engine=engine, is_active=True)
    path = models_root() / artifact.path / ENGINE_FILE
    if how == "missing":
        path.unlink()
    else:
        path.write_bytes(b"not an artifact at all")
    loaded_engines_forget()


@pytest.mark.parametrize("how", ["missing", "corrupt"])
def test_a_broken_engine_artifact_degrades_to_trending_instead_of_failing(trained_world, how):
    _break("hybrid", how)
    _break("collaborative", how)
    user = UserFactory()
    interactions_add(user, trained_world.scifi[:2])

    response = client_for(user).get(URL, {"engine": "hybrid"})

    assert response.status_code == 200
    items = response.json()["data"]
    comedy = {m.id for m in trained_world.comedy}
    assert {item["movie"]["id"] for item in items[: len(comedy)]} == comedy
    assert all(item["reason"].startswith("Trending") for item in items)
    assert engine_get("hybrid") is None


def test_with_every_artifact_broken_users_get_popularity_from_the_database(trained_world):
    for engine in ENGINE_NAMES:
        _break(engine, "corrupt")
    user = UserFactory()
    interactions_add(user, trained_world.scifi[:2])

    response = client_for(user).get(URL, {"engine": "content"})

    assert response.status_code == 200
    items = response.json()["data"]
    assert items and items[0]["reason"] == "Popular with Movie Nexus viewers"
    assert not {item["movie"]["id"] for item in items} & {m.id for m in trained_world.scifi[:2]}
