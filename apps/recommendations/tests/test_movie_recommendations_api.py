"""movies/{id}/recommendations/ and recommendations/trending/: public, never the movie itself."""

import pytest
from django.urls import reverse

from apps.accounts.tests.factories import UserFactory
from apps.catalog.models import Movie
from apps.recommendations.tests import fixtures
from apps.recommendations.tests.fixtures import interactions_add

# Fixtures of the serving tests (the project keeps one conftest.py).
models_in_tmp = fixtures.models_in_tmp
world = fixtures.world
trained_world = fixtures.trained_world


def _ids(response):
    assert response.status_code == 200, response.content
    return [item["movie"]["id"] for item in response.json()["data"]]


def test_people_who_liked_a_movie_also_liked_its_genre_mates(trained_world, api_client):
    alien = trained_world.scifi[0]

    response = api_client.get(reverse("movie-recommendations", args=[alien.id]))

    shown = _ids(response)
    assert alien.id not in shown
    assert shown and set(shown) <= {m.id for m in trained_world.scifi}
    item = response.json()["data"][0]
    assert item["engine"] == "collaborative"
    assert item["reason"] == "People who liked Alien also liked this"
    assert 0.0 <= min(i["score"] for i in response.json()["data"]) <= item["score"] == 1.0


def test_inactive_movies_never_appear_and_an_inactive_movie_is_a_404(trained_world, api_client):
    alien, aliens = trained_world.scifi[:2]
    Movie.objects.filter(pk=aliens.pk).update(is_active=False)

    shown = _ids(api_client.get(reverse("movie-recommendations", args=[alien.id])))
    missing = api_client.get(reverse("movie-recommendations", args=[aliens.id]))

    assert aliens.id not in shown
    assert missing.status_code == 404
    assert api_client.get("/api/v1/movies/999999/recommendations/").status_code == 404


def test_without_a_collaborative_model_co_liked_movies_are_counted(world, api_client):
    for _ in range(3):
        interactions_add(UserFactory(), [world.romance[0], world.romance[1]])
    interactions_add(UserFactory(), [world.romance[0], world.comedy[0]])

    shown = _ids(api_client.get(reverse("movie-recommendations", args=[world.romance[0].id])))

    assert shown == [world.romance[1].id, world.comedy[0].id]


def test_movie_recommendations_take_a_fixed_number_of_queries(
    trained_world, api_client, django_assert_num_queries
):
    url = reverse("movie-recommendations", args=[trained_world.scifi[0].id])
    # The movie, the active model versions, the active filter, the movies and their genres;
    # then cached: the movie only.
    with django_assert_num_queries(5):
        api_client.get(url, {"limit": 3})
    with django_assert_num_queries(1):
        assert len(_ids(api_client.get(url, {"limit": 3}))) == 3


@pytest.mark.parametrize("limit", ["0", "101", "-1", "x"])
def test_bad_limit_is_a_400(trained_world, api_client, limit):
    url = reverse("movie-recommendations", args=[trained_world.scifi[0].id])

    assert api_client.get(url, {"limit": limit}).status_code == 400


def test_anonymous_visitors_get_trending(trained_world, api_client, django_assert_num_queries):
    url = reverse("recommendations-trending")

    with django_assert_num_queries(4):  # model versions, active filter, movies, genres
        response = api_client.get(url, {"limit": 4})

    assert set(_ids(response)) == {m.id for m in trained_world.comedy}
    assert {item["engine"] for item in response.json()["data"]} == {"trending"}
    with django_assert_num_queries(0):
        api_client.get(url, {"limit": 4})


def test_trending_of_an_old_imported_dataset_decays_from_its_latest_event(world, api_client):
    from apps.recommendations.services import recommender_train

    for _ in range(3):
        interactions_add(UserFactory(), world.romance[:2], days_ago=3 * 365)
    interactions_add(UserFactory(), world.comedy[:1], days_ago=3 * 365 + 30)
    recommender_train(refresh=False)

    data = api_client.get(reverse("recommendations-trending"), {"limit": 3}).json()["data"]

    assert {item["movie"]["id"] for item in data[:2]} == {m.id for m in world.romance[:2]}
    assert data[0]["score"] == 1.0 and 0.0 < data[2]["score"] < 1.0
