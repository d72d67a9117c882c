"""me/recommendations/: what a user is shown, fresh, explained and never what they decided on."""

import pytest
from django.urls import reverse

from apps.accounts.tests.factories import UserFactory
from apps.interactions.models import Interaction
from apps.recommendations.models import RecommendationState, UserRecommendation
from apps.recommendations.services import recommender_train
from apps.recommendations.tests import fixtures
from apps.recommendations.tests.fixtures import interactions_add
from conftest import client_for

# Fixtures of the serving tests (the project keeps one conftest.py).
models_in_tmp = fixtures.models_in_tmp
world = fixtures.world
trained_world = fixtures.trained_world

URL = reverse("me-recommendations")
ENGINES = ("hybrid", "collaborative", "content", "trending")


def _items(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200, response.content
    return response.json()["data"]


def _ids(items):
    return [item["movie"]["id"] for item in items]


@pytest.mark.parametrize("engine", ["hybrid", "collaborative", "content"])
def test_user_who_liked_only_science_fiction_gets_science_fiction_first(trained_world, engine):
    user = UserFactory()
    interactions_add(user, trained_world.scifi[:3])
    unseen_scifi = {movie.id for movie in trained_world.scifi[3:]}

    items = _items(client_for(user), engine=engine)

    assert set(_ids(items)[: len(unseen_scifi)]) == unseen_scifi
    assert all(item["engine"] == engine for item in items)


@pytest.mark.parametrize("engine", ["hybrid", "collaborative", "content"])
def test_reasons_name_the_movie_the_user_liked(trained_world, engine):
    user = UserFactory()
    interactions_add(user, trained_world.scifi[:2])
    titles = {movie.title for movie in trained_world.scifi[:2]}

    items = _items(client_for(user), engine=engine)

    first = items[0]["reason"]
    assert first.startswith("Because you liked ")
    assert first.removeprefix("Because you liked ") in titles


def test_rated_favorited_disliked_liked_and_dismissed_movies_never_appear(trained_world):
    user = UserFactory()
    scifi = trained_world.scifi
    interactions_add(user, [scifi[0]], "rating", rating=4.5)
    interactions_add(user, [scifi[1]], "favorite")
    interactions_add(user, [scifi[2]], "like")
    interactions_add(user, [trained_world.romance[0]], "dislike")
    client = client_for(user)
    first = _items(client, engine="hybrid")
    dismissed = first[0]
    response = client.post(
        reverse("recommendation-feedback", args=[dismissed["id"]]), {"type": "not_interested"}
    )
    assert response.status_code == 201
    decided = {scifi[0].id, scifi[1].id, scifi[2].id, trained_world.romance[0].id}
    decided.add(dismissed["movie"]["id"])

    for engine in ENGINES:
        shown = set(_ids(_items(client, engine=engine, limit=50)))
        assert shown, engine
        assert not shown & decided, engine


def test_scores_stay_between_zero_and_one_best_first(trained_world):
    user = UserFactory()
    interactions_add(user, trained_world.scifi[:2])
    interactions_add(user, trained_world.romance[:1], "dislike")
    client = client_for(user)

    for engine in ENGINES:
        scores = [item["score"] for item in _items(client, engine=engine, limit=50)]
        assert scores and all(0.0 <= score <= 1.0 for score in scores), engine
        assert scores == sorted(scores, reverse=True), engine


def test_a_new_interaction_changes_the_next_answer_after_the_refresh_task(
    trained_world, django_capture_on_commit_callbacks
):
    user = UserFactory()
    interactions_add(user, trained_world.romance[:2])
    client = client_for(user)
    before = _items(client, engine="hybrid", limit=5)
    assert not set(_ids(before[:3])) & {m.id for m in trained_world.scifi}

    for movie in trained_world.scifi[:3]:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("movie-like", args=[movie.id]))
        assert response.status_code in (200, 201), response.content
    after = _items(client, engine="hybrid", limit=5)

    assert _ids(after) != _ids(before)
    assert not set(_ids(after)) & {m.id for m in trained_world.scifi[:3]}
    assert set(_ids(after)) & {m.id for m in trained_world.scifi[3:]}
    state = RecommendationState.objects.get(user=user)
    assert not state.is_stale


def test_refresh_happens_on_read_when_the_task_could_not_be_enqueued(
    trained_world, monkeypatch, django_capture_on_commit_callbacks
):
    user = UserFactory()
    interactions_add(user, trained_world.romance[:2])
    client = client_for(user)
    _items(client)
    from apps.recommendations.tasks import recommendations_refresh_drain_task

    # The broker unreachable: the publish fails, and this process remembers it.
    monkeypatch.setitem(recommendations_refresh_drain_task.app.conf, "task_always_eager", False)

    def unreachable(*args, **kwargs):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(recommendations_refresh_drain_task, "apply_async", unreachable)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.put(
            reverse("movie-rating", args=[trained_world.romance[2].id]), {"rating": 5}
        )
    assert response.status_code in (200, 201), response.content
    assert RecommendationState.objects.get(user=user).is_stale

    assert trained_world.romance[2].id not in _ids(_items(client, limit=50))
    assert not RecommendationState.objects.get(user=user).is_stale


def test_anonymous_client_gets_401(api_client):
    response = api_client.get(URL)

    assert response.status_code == 401
    assert response.json()["success"] is False


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0},
        {"limit": 51},
        {"limit": "ten"},
        {"engine": "magic"},
        {"engine": "Hybrid"},
    ],
)
def test_bad_engine_or_limit_is_a_400_in_the_envelope(auth_client, params):
    response = auth_client.get(URL, params)

    assert response.status_code == 400
    body = response.json()
    assert body["success"] is False
    assert body["error"]["code"] == "validation_error"


def test_default_is_twenty_hybrid_items(trained_world):
    world = trained_world
    user = UserFactory()
    interactions_add(user, world.scifi[:1])
    # Enough movies for a full default page.
    from apps.catalog.tests.factories import MovieFactory

    for i in range(20):
        MovieFactory(title=f"Extra {i}", genres=[world.comedy_genre])
    recommender_train(refresh=False)

    items = _items(client_for(user))

    assert len(items) == 20
    assert {item["engine"] for item in items} == {"hybrid"}
    assert set(items[0]) == {"id", "movie", "score", "engine", "reason"}


def test_cold_start_user_gets_the_best_of_their_favorite_genres(trained_world):
    from apps.accounts.services import favorite_genres_set
    from apps.catalog.tests.factories import RatedMovieFactory

    best = RatedMovieFactory(title="Stalker", genres=[trained_world.scifi_genre], mean=4.8)
    user = UserFactory()
    favorite_genres_set(user=user, genre_ids=[trained_world.scifi_genre.id])

    items = _items(client_for(user), engine="hybrid")

    assert items[0]["movie"]["id"] == best.id
    scifi_ids = {m.id for m in trained_world.scifi} | {best.id}
    assert set(_ids(items)) <= scifi_ids
    assert "Science Fiction" in items[0]["reason"]


def test_cold_start_user_without_genres_gets_trending(trained_world):
    user = UserFactory()

    items = _items(client_for(user), engine="collaborative")

    comedy = {m.id for m in trained_world.comedy}
    assert set(_ids(items)[: len(comedy)]) == comedy
    assert items[0]["reason"].startswith("Trending")


def test_without_any_trained_model_users_get_popular_movies(world):
    for _ in range(3):
        interactions_add(UserFactory(), world.comedy[:2])
    user = UserFactory()
    interactions_add(user, world.scifi[:1])

    items = _items(client_for(user), engine="hybrid")

    assert set(_ids(items)[:2]) == {m.id for m in world.comedy[:2]}
    assert world.scifi[0].id not in _ids(items)
    assert items[0]["reason"] == "Popular with Movie Nexus viewers"


def test_warm_answer_is_served_from_cache_with_one_query(trained_world, django_assert_num_queries):
    user = UserFactory()
    interactions_add(user, trained_world.scifi[:2])
    client = client_for(user)
    _items(client, limit=10)

    # The impressions counter; the token's user is the shared copy the first read made, read
    # with the bytes before DRF (apps.core.fastpath).
    with django_assert_num_queries(1):
        items = _items(client, limit=10)
    assert len(items) == 10


def test_cold_read_of_fresh_rows_takes_a_fixed_number_of_queries(
    trained_world, django_assert_num_queries
):
    user = UserFactory()
    interactions_add(user, trained_world.scifi[:2])
    client = client_for(user)
    _items(client, limit=5)
    from django.core.cache import cache

    cache.clear()

    # The token's user, the running experiment (the cache was emptied too), the freshness
    # state, the rows with their reasons, their movies, the genres, the impressions counter.
    with django_assert_num_queries(7):
        first = _items(client, limit=5)
    cache.clear()
    with django_assert_num_queries(7):
        assert len(_items(client, limit=14)) == 14 > len(first)


def test_stored_rows_are_replaced_not_accumulated_by_refreshes(trained_world):
    from apps.recommendations.services import recommendations_refresh

    user = UserFactory()
    interactions_add(user, trained_world.scifi[:2])
    recommendations_refresh(user_id=user.id)
    count = UserRecommendation.objects.filter(user=user).count()
    Interaction.objects.filter(user=user).delete()
    interactions_add(user, trained_world.romance[:2])

    recommendations_refresh(user_id=user.id)
    recommendations_refresh(user_id=user.id)

    rows = UserRecommendation.objects.filter(user=user)
    assert rows.count() == count
    assert rows.filter(rank__isnull=True).count() == 0


def test_changing_favorite_genres_changes_a_cold_start_users_next_answer(
    trained_world, django_capture_on_commit_callbacks
):
    user = UserFactory()
    client = client_for(user)
    genres_url = reverse("me-genres")

    def favorites(genre) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.put(genres_url, {"genre_ids": [genre.pk]}, format="json")
        assert response.status_code == 200, response.content

    favorites(trained_world.romance_genre)
    romance = {m.id for m in trained_world.romance}
    assert set(_ids(_items(client, limit=3))) <= romance
    changes = RecommendationState.objects.get(user=user).change_count

    favorites(trained_world.romance_genre)  # the same set: nothing changed, nothing goes stale
    assert RecommendationState.objects.get(user=user).change_count == changes

    favorites(trained_world.scifi_genre)
    assert set(_ids(_items(client, limit=3))) <= {m.id for m in trained_world.scifi}


def test_a_request_without_parameters_is_answered_as_one_naming_the_defaults(
    trained_world, monkeypatch
):
    from apps.recommendations import views

    user = UserFactory()
    interactions_add(user, trained_world.romance[:2])
    client = client_for(user)
    validated = []
    original = views._validated
    monkeypatch.setattr(
        views, "_validated", lambda cls, data: validated.append(cls) or original(cls, data)
    )
    monkeypatch.setattr(views, "_DEFAULTS", {})

    plain = [client.get(URL).json()["data"] for _ in range(3)]
    assert validated == [views.RecommendationListQuerySerializer]  # the defaults, once
    named = client.get(URL, {"limit": 20}).json()["data"]

    assert plain[0] == plain[1] == plain[2] == named
    assert len(validated) > 1  # a request with parameters is validated
