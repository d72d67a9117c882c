"""What users do with their recommendations changes the next lists, seen through the API."""

import numpy as np
import pytest
from django.urls import reverse

from apps.accounts.tests.factories import UserFactory
from apps.recommendations.models import UserRecommendation
from apps.recommendations.services import recommendations_refresh
from apps.recommendations.tests import fixtures
from apps.recommendations.tests.fixtures import interactions_add
from apps.recommendations.training import (
    ALREADY_SEEN,
    CLICK,
    FEEDBACK_NEGATIVE,
    FEEDBACK_POSITIVE,
    event_weight,
    training_data_build,
)
from conftest import client_for

# Fixtures of the serving tests (the project keeps one conftest.py).
models_in_tmp = fixtures.models_in_tmp
world = fixtures.world
trained_world = fixtures.trained_world

URL = reverse("me-recommendations")


def _served(client, engine="hybrid") -> list[dict]:
    return client.get(URL, {"engine": engine, "limit": 50}).json()["data"]


def _row(user, movie, engine="hybrid") -> UserRecommendation:
    return UserRecommendation.objects.get(user=user, movie=movie, algorithm=engine)


@pytest.fixture
def newcomer(trained_world):
    """No history yet: the lists are the cold start (what is popular), every movie in them."""
    user = UserFactory()
    recommendations_refresh(user_id=user.id)
    return user


@pytest.fixture
def scifi_fan(trained_world):
    user = UserFactory()
    interactions_add(user, trained_world.scifi[:2])
    recommendations_refresh(user_id=user.id)
    return user


def _post(client, name, row, captured, body=None):
    with captured(execute=True):
        return client.post(reverse(name, args=[row.id]), body or {})


@pytest.mark.parametrize("feedback_type", ["not_interested", "negative"])
def test_turning_down_a_suggestion_pushes_similar_movies_down_not_only_that_one(
    scifi_fan, trained_world, feedback_type, django_capture_on_commit_callbacks
):
    client = client_for(scifi_fan)
    scifi = {movie.id for movie in trained_world.scifi}
    before = _served(client)
    assert before[0]["movie"]["id"] in scifi
    turned_down = _row(scifi_fan, before[0]["movie"]["id"])
    scifi_before = {item["movie"]["id"]: item["score"] for item in before[1:]}
    scifi_before = {m: s for m, s in scifi_before.items() if m in scifi}

    response = _post(
        client,
        "recommendation-feedback",
        turned_down,
        django_capture_on_commit_callbacks,
        {"type": feedback_type},
    )

    assert response.status_code == 201
    after = {item["movie"]["id"]: item for item in _served(client)}
    assert turned_down.movie_id not in after
    # The other science fiction movies stay, each well below its score before; movies
    # unlike the one turned down are not pushed down.
    assert scifi_before
    for movie_id, score in scifi_before.items():
        assert after[movie_id]["score"] < 0.7 * score
    others = [item for item in before if item["movie"]["id"] not in scifi]
    assert others and all(after[o["movie"]["id"]]["score"] >= o["score"] - 1e-6 for o in others)


def test_already_seen_counts_as_a_view_in_the_next_lists(
    newcomer, trained_world, django_capture_on_commit_callbacks
):
    client = client_for(newcomer)
    alien = trained_world.scifi[0]
    assert all(item["reason"].startswith("Trending") for item in _served(client))

    response = _post(
        client,
        "recommendation-feedback",
        _row(newcomer, alien),
        django_capture_on_commit_callbacks,
        {"type": "already_seen"},
    )

    assert response.status_code == 201
    served = _served(client)
    assert alien.id not in {item["movie"]["id"] for item in served}
    reasons = {item["reason"] for item in served}
    assert f"Because you have seen {alien.title}" in reasons
    assert served[0]["movie"]["id"] in {movie.id for movie in trained_world.scifi}


def test_a_click_counts_as_a_positive_signal_in_the_next_lists(
    newcomer, trained_world, django_capture_on_commit_callbacks
):
    client = client_for(newcomer)
    dune = trained_world.scifi[4]
    _served(client)  # cached before the click

    response = _post(
        client, "recommendation-click", _row(newcomer, dune), django_capture_on_commit_callbacks
    )

    assert response.status_code == 200
    served = _served(client)
    assert f"Because you looked at {dune.title}" in {item["reason"] for item in served}
    scifi = {movie.id for movie in trained_world.scifi}
    assert served[0]["movie"]["id"] in scifi


def test_positive_feedback_counts_as_a_like_in_the_next_lists(
    newcomer, trained_world, django_capture_on_commit_callbacks
):
    client = client_for(newcomer)
    casablanca = trained_world.romance[0]
    _served(client)

    response = _post(
        client,
        "recommendation-feedback",
        _row(newcomer, casablanca),
        django_capture_on_commit_callbacks,
        {"type": "positive"},
    )

    assert response.status_code == 201
    served = _served(client)
    reasons = {item["reason"] for item in served}
    assert f"Because you liked our suggestion of {casablanca.title}" in reasons
    assert served[0]["movie"]["id"] in {movie.id for movie in trained_world.romance}


def test_training_counts_clicks_feedback_and_already_seen_as_the_refresh_does(
    scifi_fan, trained_world, django_capture_on_commit_callbacks
):
    """The next full training learns from them too, with the weights a refresh gives them."""
    client = client_for(scifi_fan)
    served = [item["movie"]["id"] for item in _served(client)]
    clicked, liked, disliked, seen = (_row(scifi_fan, m) for m in served[:4])
    _post(client, "recommendation-click", clicked, django_capture_on_commit_callbacks)
    for row, kind in ((liked, "positive"), (disliked, "negative"), (seen, "already_seen")):
        body = {"type": kind}
        _post(client, "recommendation-feedback", row, django_capture_on_commit_callbacks, body)

    data = training_data_build()

    user = int(np.flatnonzero(data.user_ids == scifi_fan.id)[0])
    item_of = {int(movie_id): i for i, movie_id in enumerate(data.item_ids)}
    mine = data.users == user
    weight_of = {
        int(item): float(weight)
        for item, weight in zip(data.items[mine], data.weights[mine], strict=True)
    }
    assert weight_of[item_of[clicked.movie_id]] == event_weight(CLICK)
    assert weight_of[item_of[liked.movie_id]] == event_weight(FEEDBACK_POSITIVE) > 0
    assert weight_of[item_of[disliked.movie_id]] == event_weight(FEEDBACK_NEGATIVE) < 0
    assert weight_of[item_of[seen.movie_id]] == event_weight(ALREADY_SEEN) > 0
