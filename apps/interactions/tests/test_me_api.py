"""GET me/favorites/, me/watchlist/, me/ratings/, me/history/, me/stats/."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from apps.interactions.models import InteractionType
from apps.interactions.tests.factories import GenreFactory, InteractionFactory, MovieFactory

pytestmark = pytest.mark.django_db

ME_ROUTES = ["favorites", "watchlist", "ratings", "history", "stats"]
# count, page of rows, their movies, the movies' genres
LIST_QUERIES = 4


def forced_client(user) -> APIClient:
    """A client authenticated without a token, so query counts measure the view alone."""
    client = APIClient()
    client.force_authenticate(user)
    return client


def movie_ids(response) -> list[int]:
    return [item["movie"]["id"] for item in response.json()["data"]]


@pytest.mark.parametrize("route", ME_ROUTES)
def test_me_routes_refuse_anonymous_clients_with_401(api_client, route):
    response = api_client.get(f"/api/v1/me/{route}/")

    assert response.status_code == 401
    assert response.json()["error"]["code"] in {"not_authenticated", "authentication_failed"}


@pytest.mark.parametrize(
    ("route", "interaction_type"),
    [
        ("favorites", InteractionType.FAVORITE),
        ("watchlist", InteractionType.WATCHLIST),
        ("ratings", InteractionType.RATING),
        ("history", InteractionType.LIKE),
    ],
)
def test_me_lists_show_only_the_requesting_users_rows(
    auth_client, user, other_user, route, interaction_type
):
    rating = Decimal("4.0") if interaction_type == InteractionType.RATING else None
    mine = InteractionFactory(user=user, interaction_type=interaction_type, rating=rating)
    InteractionFactory(user=other_user, interaction_type=interaction_type, rating=rating)

    response = auth_client.get(f"/api/v1/me/{route}/")

    assert response.status_code == 200
    assert movie_ids(response) == [mine.movie_id]
    assert response.json()["pagination"]["total"] == 1


@pytest.mark.parametrize("route", ["favorites", "watchlist", "ratings", "history"])
def test_me_list_query_count_does_not_grow_with_the_page(user, route, django_assert_num_queries):
    interaction_type = {
        "favorites": InteractionType.FAVORITE,
        "watchlist": InteractionType.WATCHLIST,
        "ratings": InteractionType.RATING,
        "history": InteractionType.VIEW,
    }[route]
    genres = [GenreFactory(), GenreFactory()]
    for _ in range(15):
        InteractionFactory(
            user=user,
            movie=MovieFactory(genres=genres),
            interaction_type=interaction_type,
            rating=Decimal("3.5") if route == "ratings" else None,
        )
    client = forced_client(user)

    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(f"/api/v1/me/{route}/?per_page=15")

    assert len(response.json()["data"]) == 15
    assert all(len(item["movie"]["genres"]) == 2 for item in response.json()["data"])


def test_favorites_search_matches_titles_and_notes(auth_client, user):
    alien = InteractionFactory(user=user, movie=MovieFactory(title="Alien"))
    noted = InteractionFactory(user=user, movie=MovieFactory(title="Heat"), notes="alien vibes")
    InteractionFactory(user=user, movie=MovieFactory(title="Up"))

    response = auth_client.get("/api/v1/me/favorites/?q=alien")

    assert sorted(movie_ids(response)) == sorted([alien.movie_id, noted.movie_id])


def test_favorites_filter_by_genre_id_or_slug(auth_client, user):
    horror = GenreFactory(slug="horror")
    scary = InteractionFactory(user=user, movie=MovieFactory(genres=[horror]))
    InteractionFactory(user=user, movie=MovieFactory())

    by_slug = auth_client.get("/api/v1/me/favorites/?genre=horror")
    by_id = auth_client.get(f"/api/v1/me/favorites/?genre={horror.pk}")
    huge = auth_client.get("/api/v1/me/favorites/?genre=99999999999999999999999")

    assert movie_ids(by_slug) == movie_ids(by_id) == [scary.movie_id]
    assert huge.status_code == 200
    assert movie_ids(huge) == []


def test_favorites_order_by_an_allowed_field(auth_client, user):
    for title in ["Bravo", "Alpha", "Charlie"]:
        InteractionFactory(user=user, movie=MovieFactory(title=title))

    ascending = auth_client.get("/api/v1/me/favorites/?ordering=title")
    descending = auth_client.get("/api/v1/me/favorites/?ordering=-title")

    titles = [item["movie"]["title"] for item in ascending.json()["data"]]
    assert titles == ["Alpha", "Bravo", "Charlie"]
    assert [item["movie"]["title"] for item in descending.json()["data"]] == titles[::-1]


def test_an_ordering_outside_the_allow_list_is_a_400(auth_client):
    response = auth_client.get("/api/v1/me/favorites/?ordering=user__password")

    assert response.status_code == 400
    assert response.json()["success"] is False


def test_inactive_movies_are_hidden_from_my_lists(auth_client, user):
    InteractionFactory(user=user, movie=MovieFactory(is_active=False))

    response = auth_client.get("/api/v1/me/favorites/")

    assert response.json()["data"] == []


def test_history_filters_by_type(auth_client, user):
    liked = InteractionFactory(user=user, interaction_type=InteractionType.LIKE)
    InteractionFactory(user=user, interaction_type=InteractionType.VIEW)

    response = auth_client.get("/api/v1/me/history/?type=like")

    assert movie_ids(response) == [liked.movie_id]
    assert response.json()["data"][0]["type"] == "like"


def test_stats_count_by_type_and_give_top_genres_and_average_rating(
    user, other_user, django_assert_num_queries
):
    drama, comedy = GenreFactory(name="Drama"), GenreFactory(name="Comedy")
    first, second = MovieFactory(genres=[drama]), MovieFactory(genres=[drama, comedy])
    InteractionFactory(user=user, movie=first, interaction_type="like")
    InteractionFactory(user=user, movie=second, interaction_type="rating", rating=Decimal("4.5"))
    InteractionFactory(user=user, movie=first, interaction_type="rating", rating=Decimal("2.0"))
    InteractionFactory(user=user, movie=first, interaction_type="view", count=3)
    InteractionFactory(user=other_user, movie=second, interaction_type="like")
    client = forced_client(user)

    with django_assert_num_queries(2):
        response = client.get("/api/v1/me/stats/")

    data = response.json()["data"]
    assert data["counts"]["like"] == 1
    assert data["counts"]["rating"] == 2
    assert data["counts"]["favorite"] == 0
    assert data["total_views"] == 3
    assert data["average_rating"] == "3.25"
    assert [(genre["name"], genre["movies"]) for genre in data["top_genres"]] == [
        ("Drama", 2),
        ("Comedy", 1),
    ]


def test_stats_of_a_new_user_are_zero_and_null(auth_client):
    data = auth_client.get("/api/v1/me/stats/").json()["data"]

    assert set(data["counts"].values()) == {0}
    assert data["average_rating"] is None
    assert data["top_genres"] == []
