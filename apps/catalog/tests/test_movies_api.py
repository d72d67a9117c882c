import datetime
from decimal import Decimal

import pytest

from apps.catalog.images import IMAGE_BASE_CACHE_KEY
from apps.catalog.tests.factories import (
    CastFactory,
    CompanyFactory,
    CrewFactory,
    GenreFactory,
    KeywordFactory,
    MovieFactory,
    MovieKeywordFactory,
    MovieTagFactory,
    PersonFactory,
    VideoFactory,
)
from apps.core.cache import cache_set
from apps.interactions.models import Interaction, InteractionType

pytestmark = pytest.mark.django_db


def titles(response) -> list[str]:
    return [movie["title"] for movie in response.json()["data"]]


def test_movie_list_hides_inactive_movies_and_orders_by_popularity_by_default(api_client):
    MovieFactory(title="Low", popularity_score=1)
    MovieFactory(title="High", popularity_score=9)
    MovieFactory(title="Hidden", popularity_score=50, is_active=False)

    response = api_client.get("/api/v1/movies/")

    assert response.status_code == 200
    assert titles(response) == ["High", "Low"]
    assert response.json()["pagination"] == {"page": 1, "per_page": 20, "total": 2, "pages": 1}


def test_movie_list_filters_by_genre_id_or_slug(api_client):
    drama = GenreFactory(name="Drama", slug="drama")
    MovieFactory(title="In", genres=[drama])
    MovieFactory(title="Out")

    assert titles(api_client.get("/api/v1/movies/", {"genre": "drama"})) == ["In"]
    assert titles(api_client.get("/api/v1/movies/", {"genre": drama.pk})) == ["In"]
    assert titles(api_client.get("/api/v1/movies/", {"genre": "no-such-genre"})) == []


def test_movie_list_filters_by_year_rating_language_status_and_original(api_client):
    MovieFactory(
        title="Match",
        release_date=datetime.date(1999, 3, 31),
        tmdb_rating=Decimal("8.5"),
        original_language="fr",
        status="Released",
        is_original=True,
    )
    MovieFactory(title="Old", release_date=datetime.date(1950, 1, 1), tmdb_rating=Decimal("9"))
    MovieFactory(title="Weak", release_date=datetime.date(1999, 1, 1), tmdb_rating=Decimal("3"))
    query = {
        "year_min": 1990,
        "year_max": 2000,
        "rating_min": "8",
        "language": "fr",
        "status": "Released",
        "is_original": "true",
    }

    assert titles(api_client.get("/api/v1/movies/", query)) == ["Match"]
    only_not_original = api_client.get("/api/v1/movies/", {"is_original": "false"})
    assert sorted(titles(only_not_original)) == ["Old", "Weak"]


def test_movie_list_orders_by_each_allowed_value_with_nulls_last(api_client):
    MovieFactory(title="B", tmdb_rating=Decimal("5"), release_date=datetime.date(2000, 1, 1))
    MovieFactory(title="A", tmdb_rating=Decimal("9"), release_date=datetime.date(1990, 1, 1))
    MovieFactory(title="C", tmdb_rating=None, release_date=None)

    assert titles(api_client.get("/api/v1/movies/", {"ordering": "-rating"})) == ["A", "B", "C"]
    assert titles(api_client.get("/api/v1/movies/", {"ordering": "rating"})) == ["B", "A", "C"]
    assert titles(api_client.get("/api/v1/movies/", {"ordering": "title"})) == ["A", "B", "C"]
    assert titles(api_client.get("/api/v1/movies/", {"ordering": "-release_date"})) == [
        "B",
        "A",
        "C",
    ]


def test_unknown_ordering_is_a_400_naming_the_allowed_values(api_client):
    response = api_client.get("/api/v1/movies/", {"ordering": "budget"})

    assert response.status_code == 400
    body = response.json()
    assert body["success"] is False
    assert "popularity" in body["error"]["message"]
    assert "-our_rating" in body["error"]["message"]


@pytest.mark.parametrize(
    "query",
    [
        {"year_min": "abc"},
        {"year_max": "99999"},
        {"rating_min": "11"},
        {"is_original": "maybe"},
        {"status": "Unknown"},
        {"q": "x" * 201},
        {"per_page": "0"},
    ],
)
def test_bad_filter_values_are_a_400_in_the_envelope(api_client, query):
    response = api_client.get("/api/v1/movies/", query)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"


def test_movie_list_q_finds_titles_case_insensitively(api_client):
    MovieFactory(title="The Matrix")
    MovieFactory(title="Alien")

    assert titles(api_client.get("/api/v1/movies/", {"q": "MATRIX"})) == ["The Matrix"]


def test_movie_list_query_count_does_not_grow_with_the_page(api_client, django_assert_num_queries):
    genre = GenreFactory()
    MovieFactory.create_batch(30, genres=[genre])

    # The first page counts the matches, the next size of the same filters reuses the total
    # (cached per filters); the page and its genres are two queries whatever its size.
    for per_page, queries in ((2, 3), (25, 2)):
        with django_assert_num_queries(queries):  # [count,] page, genres
            response = api_client.get("/api/v1/movies/", {"per_page": per_page, "genre": genre.pk})
        assert len(response.json()["data"]) == per_page
        assert response.json()["pagination"]["total"] == 30


def make_full_movie():
    drama = GenreFactory(name="Drama", slug="drama")
    movie = MovieFactory(title="Heat", genres=[drama], like_count=3, view_count=7)
    for order in range(12):
        CastFactory(movie=movie, order=order)
    CrewFactory(movie=movie, person=PersonFactory(name="Michael Mann"), job="Director")
    CrewFactory(movie=movie, job="Screenplay", department="Writing")
    CrewFactory(movie=movie, job="Grip", department="Crew")
    company = CompanyFactory(name="Forward Pass")
    movie.production_companies.add(company)
    VideoFactory(movie=movie, video_type="Featurette", name="Behind the scenes")
    VideoFactory(movie=movie, name="Trailer 1")
    return movie


def test_movie_detail_has_genres_top_billed_cast_directors_writers_companies_and_trailer(
    api_client, django_assert_num_queries
):
    movie = make_full_movie()

    with django_assert_num_queries(6):
        response = api_client.get(f"/api/v1/movies/{movie.pk}/")

    assert response.status_code == 200
    data = response.json()["data"]
    assert [genre["slug"] for genre in data["genres"]] == ["drama"]
    assert [credit["order"] for credit in data["cast"]] == list(range(10))
    assert [person["name"] for person in data["directors"]] == ["Michael Mann"]
    assert len(data["writers"]) == 1
    assert [company["name"] for company in data["production_companies"]] == ["Forward Pass"]
    assert data["trailer"]["name"] == "Trailer 1"
    assert data["trailer"]["url"].startswith("https://www.youtube.com/watch?v=")
    assert data["aggregates"]["like_count"] == 3
    assert data["aggregates"]["view_count"] == 7
    assert data["user_state"] is None


def test_movie_detail_shows_the_logged_in_users_own_state_only(
    auth_client, user, other_user, django_assert_num_queries
):
    movie = MovieFactory()
    Interaction.objects.create(user=user, movie=movie, interaction_type=InteractionType.FAVORITE)
    Interaction.objects.create(
        user=user, movie=movie, interaction_type=InteractionType.RATING, rating=Decimal("4.5")
    )
    Interaction.objects.create(user=user, movie=movie, interaction_type=InteractionType.LIKE)
    Interaction.objects.create(
        user=other_user, movie=movie, interaction_type=InteractionType.WATCHLIST
    )

    response = auth_client.get(f"/api/v1/movies/{movie.pk}/")

    assert response.json()["data"]["user_state"] == {
        "favorite": True,
        "watchlist": False,
        "liked": True,
        "disliked": False,
        "rating": "4.5",
    }
    # Public part from the cache now, and the token's user (the shared copy): the user's state
    # on the movie is read with the active check, then cached for the next read.
    with django_assert_num_queries(1):
        again = auth_client.get(f"/api/v1/movies/{movie.pk}/")
    assert again.json() == response.json()
    with django_assert_num_queries(0):
        assert auth_client.get(f"/api/v1/movies/{movie.pk}/").json() == response.json()


def test_inactive_or_unknown_movie_detail_is_a_404(api_client):
    hidden = MovieFactory(is_active=False)

    for movie_id in (hidden.pk, 999999):
        response = api_client.get(f"/api/v1/movies/{movie_id}/")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "movie_not_found"


def test_movie_credits_list_the_whole_cast_in_billing_order_and_the_crew(
    api_client, django_assert_num_queries
):
    movie = make_full_movie()

    with django_assert_num_queries(3):
        response = api_client.get(f"/api/v1/movies/{movie.pk}/credits/")

    data = response.json()["data"]
    assert [credit["order"] for credit in data["cast"]] == list(range(12))
    assert {credit["job"] for credit in data["crew"]} == {"Director", "Screenplay", "Grip"}


def test_similar_movies_rank_shared_people_and_keywords_above_a_shared_genre(
    api_client, django_assert_num_queries
):
    drama = GenreFactory()
    movie = MovieFactory(title="Base", genres=[drama])
    director = PersonFactory()
    CrewFactory(movie=movie, person=director)
    keyword = KeywordFactory()
    MovieKeywordFactory(movie=movie, keyword=keyword)
    MovieTagFactory(movie=movie, tag="heist")

    genre_only = MovieFactory(title="Genre only", genres=[drama])
    same_director = MovieFactory(title="Same director")
    CrewFactory(movie=same_director, person=director)
    same_keyword = MovieFactory(title="Same keyword")
    MovieKeywordFactory(movie=same_keyword, keyword=keyword)
    MovieTagFactory(movie=same_keyword, tag="heist")
    MovieFactory(title="Unrelated")
    MovieFactory(title="Hidden twin", genres=[drama], is_active=False)
    del genre_only

    with django_assert_num_queries(8):  # active check, 5 groupings, page, genres
        response = api_client.get(f"/api/v1/movies/{movie.pk}/similar/")

    assert titles(response) == ["Same keyword", "Same director", "Genre only"]


def test_poster_urls_are_built_on_the_image_base_tmdbs_configuration_stored(api_client):
    """How often the base is read per response is pinned in test_performance.py."""
    cache_set(IMAGE_BASE_CACHE_KEY, "https://img.example/", 60)
    for _ in range(5):
        MovieFactory(poster_path="/poster.jpg")

    response = api_client.get("/api/v1/movies/")

    posters = [movie["poster_url"] for movie in response.json()["data"]]
    assert posters == ["https://img.example/w342/poster.jpg"] * 5
