"""Clicks and feedback on recommendations: recorded once, used, and only on one's own."""

import pytest
from django.urls import reverse

from apps.accounts.tests.factories import UserFactory
from apps.recommendations.models import (
    DismissedMovie,
    RecommendationFeedback,
    RecommendationState,
    UserRecommendation,
)
from apps.recommendations.services import recommendations_refresh, recommender_train
from apps.recommendations.tests import fixtures
from apps.recommendations.tests.fixtures import interactions_add
from conftest import client_for

# Fixtures of the serving tests (the project keeps one conftest.py).
models_in_tmp = fixtures.models_in_tmp
world = fixtures.world
trained_world = fixtures.trained_world

URL = reverse("me-recommendations")


@pytest.fixture
def scifi_fan(trained_world):
    user = UserFactory()
    interactions_add(user, trained_world.scifi[:2])
    for engine in ("hybrid", "collaborative", "content", "trending"):
        recommendations_refresh(user_id=user.id, engine=engine)  # every list stored
    return user


def _first(user, engine="hybrid") -> UserRecommendation:
    return UserRecommendation.objects.filter(user=user, algorithm=engine).order_by("rank").first()


def _shown(client, engine="hybrid") -> list[int]:
    return [item["movie"]["id"] for item in client.get(URL, {"engine": engine}).json()["data"]]


def test_click_is_recorded_with_its_time_and_a_second_click_changes_nothing(scifi_fan):
    client = client_for(scifi_fan)
    recommendation = _first(scifi_fan)
    url = reverse("recommendation-click", args=[recommendation.id])

    first = client.post(url)
    second = client.post(url)

    assert first.status_code == second.status_code == 200
    assert first.json()["data"]["clicked"] is True
    assert first.json()["data"]["clicked_at"] == second.json()["data"]["clicked_at"]
    recommendation.refresh_from_db()
    assert recommendation.clicked and recommendation.clicked_at is not None


def test_a_clicked_recommendation_survives_refreshes_that_drop_it(scifi_fan, trained_world):
    recommendation = _first(scifi_fan)
    client_for(scifi_fan).post(reverse("recommendation-click", args=[recommendation.id]))
    interactions_add(scifi_fan, [recommendation.movie], "rating", rating=4.0)

    recommendations_refresh(user_id=scifi_fan.id)

    recommendation.refresh_from_db()
    assert recommendation.clicked and recommendation.rank is None


@pytest.mark.parametrize("feedback_type", ["not_interested", "already_seen"])
def test_dismissal_removes_the_movie_from_every_engine_at_once_and_for_good(
    scifi_fan, feedback_type, django_capture_on_commit_callbacks
):
    client = client_for(scifi_fan)
    movie_id = _first(scifi_fan, "content").movie_id
    for engine in ("hybrid", "collaborative", "content", "trending"):
        _shown(client, engine)  # every list cached before the dismissal
    recommendation = UserRecommendation.objects.get(
        user=scifi_fan, movie_id=movie_id, algorithm="collaborative"
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("recommendation-feedback", args=[recommendation.id]),
            {"type": feedback_type, "comment": "Seen it twice"},
        )

    assert response.status_code == 201
    assert response.json()["data"]["type"] == feedback_type
    for engine in ("hybrid", "collaborative", "content", "trending"):
        assert movie_id not in _shown(client, engine), engine
    recommender_train()
    recommendations_refresh(user_id=scifi_fan.id)
    for engine in ("hybrid", "collaborative", "content", "trending"):
        assert movie_id not in _shown(client, engine), engine
    assert DismissedMovie.objects.filter(user=scifi_fan, movie_id=movie_id).count() == 1


def test_same_feedback_twice_is_recorded_once(scifi_fan):
    client = client_for(scifi_fan)
    url = reverse("recommendation-feedback", args=[_first(scifi_fan).id])

    first = client.post(url, {"type": "positive"})
    second = client.post(url, {"type": "positive"})

    assert (first.status_code, second.status_code) == (201, 200)
    assert RecommendationFeedback.objects.filter(user=scifi_fan).count() == 1


def test_positive_and_negative_replace_each_other(scifi_fan):
    client = client_for(scifi_fan)
    url = reverse("recommendation-feedback", args=[_first(scifi_fan).id])

    client.post(url, {"type": "positive"})
    client.post(url, {"type": "negative"})

    types = list(RecommendationFeedback.objects.values_list("feedback_type", flat=True))
    assert types == ["negative"]


def test_negative_feedback_weighs_against_the_movie_in_the_users_history(
    scifi_fan, trained_world, django_capture_on_commit_callbacks
):
    from apps.recommendations.training import user_events_load

    recommendation = _first(scifi_fan, "content")
    with django_capture_on_commit_callbacks(execute=True):
        client_for(scifi_fan).post(
            reverse("recommendation-feedback", args=[recommendation.id]), {"type": "negative"}
        )

    events = user_events_load(user_ids=[scifi_fan.id])[scifi_fan.id]
    position = events.movie_ids.index(recommendation.movie_id)
    assert events.weights[position] < 0
    # The next answer (refreshed by the task, or on read if it could not be enqueued) has
    # left the rejected suggestion out; its row stays, out of the lists, for its feedback.
    assert recommendation.movie_id not in _shown(client_for(scifi_fan), "content")
    recommendation.refresh_from_db()
    assert recommendation.rank is None


@pytest.mark.parametrize(
    "body",
    [{}, {"type": "love_it"}, {"type": "positive", "comment": "x" * 1001}, {"type": None}],
)
def test_bad_feedback_is_a_400(scifi_fan, body):
    response = client_for(scifi_fan).post(
        reverse("recommendation-feedback", args=[_first(scifi_fan).id]), body, format="json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"


def test_another_users_recommendation_is_a_404_for_click_and_feedback(scifi_fan):
    stranger = client_for(UserFactory())
    recommendation = _first(scifi_fan)

    click = stranger.post(reverse("recommendation-click", args=[recommendation.id]))
    feedback = stranger.post(
        reverse("recommendation-feedback", args=[recommendation.id]), {"type": "not_interested"}
    )

    assert click.status_code == feedback.status_code == 404
    recommendation.refresh_from_db()
    assert not recommendation.clicked
    assert not DismissedMovie.objects.exists()


def test_my_list_never_shows_another_users_stored_recommendations(scifi_fan, trained_world):
    romance_fan = UserFactory()
    interactions_add(romance_fan, trained_world.romance[:2])
    recommendations_refresh(user_id=romance_fan.id)
    theirs = set(UserRecommendation.objects.filter(user=romance_fan).values_list("id", flat=True))

    items = client_for(scifi_fan).get(URL, {"engine": "hybrid"}).json()["data"]

    assert theirs
    assert items
    assert {item["id"] for item in items} <= set(
        UserRecommendation.objects.filter(user=scifi_fan).values_list("id", flat=True)
    )


def test_anonymous_click_and_feedback_are_401(scifi_fan, api_client):
    recommendation = _first(scifi_fan)

    click = api_client.post(reverse("recommendation-click", args=[recommendation.id]))
    assert click.status_code == 401
    response = api_client.post(
        reverse("recommendation-feedback", args=[recommendation.id]), {"type": "positive"}
    )
    assert response.status_code == 401


@pytest.mark.parametrize("path", ["/api/v1/me/recommendations/99999999999999999999/click/"])
def test_absurd_ids_are_404_not_500(auth_client, path):
    assert auth_client.post(path).status_code == 404


def test_lists_computed_before_a_dismissal_and_stored_after_it_leave_the_movie_out(scifi_fan):
    from apps.recommendations import selectors
    from apps.recommendations.scoring import user_lists_compute
    from apps.recommendations.services import recommendation_feedback_give
    from apps.recommendations.storing import recommendations_store
    from apps.recommendations.training import user_events_load

    seen = RecommendationState.objects.get(user=scifi_fan).change_count
    events = user_events_load(user_ids=[scifi_fan.id])[scifi_fan.id]
    lists = user_lists_compute(
        events=events, favorite_genres=selectors.favorite_genres(user_id=scifi_fan.id)
    )
    recommendation = _first(scifi_fan)
    recommendation_feedback_give(recommendation=recommendation, feedback_type="already_seen")

    recommendations_store(user_id=scifi_fan.id, lists=lists, seen_count=seen)

    ranked = UserRecommendation.objects.filter(user=scifi_fan, rank__isnull=False)
    assert not ranked.filter(movie=recommendation.movie).exists()
    assert RecommendationState.objects.get(user=scifi_fan).is_stale
