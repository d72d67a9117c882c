"""Ranked movie lists (movies/popular|top-rated|upcoming|now-playing|trending/), genres and
similar movies, and the cached answers they share."""

import datetime
from decimal import Decimal
from unittest import mock

import pytest
from django.utils import timezone

from apps.catalog.cache import catalog_lists_invalidate, genres_invalidate, movie_detail_invalidate
from apps.catalog.models import Movie
from apps.catalog.tests.factories import (
    GenreFactory,
    MovieFactory,
    RatedMovieFactory,
    TMDbListFactory,
    TMDbListItemFactory,
)

pytestmark = pytest.mark.django_db

RANKED_LISTS = [
    ("/api/v1/movies/popular/", "movie_popular"),
    ("/api/v1/movies/top-rated/", "movie_top_rated"),
    ("/api/v1/movies/upcoming/", "movie_upcoming"),
    ("/api/v1/movies/now-playing/", "movie_now_playing"),
]


def titles(response) -> list[str]:
    return [movie["title"] for movie in response.json()["data"]]


@pytest.mark.parametrize(("url", "key"), RANKED_LISTS)
def test_a_synced_tmdb_list_is_served_in_tmdb_order_without_inactive_movies(api_client, url, key):
    snapshot = TMDbListFactory(key=key)
    second, first = MovieFactory(title="Second"), MovieFactory(title="First")
    hidden = MovieFactory(title="Hidden", is_active=False)
    TMDbListItemFactory(tmdb_list=snapshot, position=1, movie=first)
    TMDbListItemFactory(tmdb_list=snapshot, position=2, movie=hidden)
    TMDbListItemFactory(tmdb_list=snapshot, position=3, movie=second)
    MovieFactory(title="Not in the list", popularity_score=1000)

    response = api_client.get(url)

    assert response.status_code == 200
    assert titles(response) == ["First", "Second"]
    assert response.json()["pagination"]["total"] == 2


def test_popular_without_a_snapshot_ranks_by_local_engagement(api_client):
    MovieFactory(title="Quiet", rating_count=1)
    MovieFactory(title="Loved", rating_count=5, like_count=10)
    MovieFactory(title="Watched", view_count=12)
    MovieFactory(title="Disliked", rating_count=5, dislike_count=5)

    assert titles(api_client.get("/api/v1/movies/popular/")) == [
        "Loved",
        "Watched",
        "Quiet",
        "Disliked",
    ]


def test_top_rated_without_a_snapshot_uses_a_bayesian_average_not_the_raw_mean(api_client):
    RatedMovieFactory(title="One perfect vote", rating_count=1, mean=Decimal("5.0"))
    RatedMovieFactory(title="Loved by many", rating_count=200, mean=Decimal("4.4"))
    RatedMovieFactory(title="Disliked by many", rating_count=200, mean=Decimal("2.0"))
    MovieFactory(title="Never rated")

    assert titles(api_client.get("/api/v1/movies/top-rated/")) == [
        "Loved by many",
        "One perfect vote",
        "Disliked by many",
    ]


def test_upcoming_and_now_playing_without_a_snapshot_use_release_dates(api_client):
    today = timezone.localdate()
    MovieFactory(title="Next year", release_date=today + datetime.timedelta(days=365))
    MovieFactory(title="Next week", release_date=today + datetime.timedelta(days=7))
    MovieFactory(title="Last week", release_date=today - datetime.timedelta(days=7))
    MovieFactory(title="Classic", release_date=datetime.date(1960, 1, 1))

    assert titles(api_client.get("/api/v1/movies/upcoming/")) == ["Next week", "Next year"]
    assert titles(api_client.get("/api/v1/movies/now-playing/")) == ["Last week"]


@pytest.mark.parametrize(
    ("url", "queries"),
    [
        ("/api/v1/movies/popular/", 4),  # snapshot check, count, page, genres
        ("/api/v1/movies/top-rated/", 5),  # + the Bayesian prior
        ("/api/v1/movies/upcoming/", 4),
        ("/api/v1/movies/now-playing/", 4),
    ],
)
def test_local_ranked_lists_pin_their_queries_for_any_page_size(
    api_client, django_assert_num_queries, url, queries
):
    genre = GenreFactory()
    today = timezone.localdate()
    for offset in range(-40, 40):
        RatedMovieFactory(genres=[genre], release_date=today + datetime.timedelta(days=offset))

    for per_page in (2, 20):
        catalog_lists_invalidate()
        with django_assert_num_queries(queries):
            response = api_client.get(url, {"per_page": per_page})
        assert len(response.json()["data"]) == per_page


def test_snapshot_list_pins_its_queries_for_any_page_size(api_client, django_assert_num_queries):
    snapshot = TMDbListFactory(key="movie_popular")
    genre = GenreFactory()
    for position in range(1, 31):
        TMDbListItemFactory(
            tmdb_list=snapshot, position=position, movie=MovieFactory(genres=[genre])
        )

    for per_page in (2, 20):
        catalog_lists_invalidate()
        with django_assert_num_queries(4):  # snapshot check, count, page with movies, genres
            response = api_client.get("/api/v1/movies/popular/", {"per_page": per_page})
        assert len(response.json()["data"]) == per_page


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/movies/popular/?page=1&per_page=2",
        "/api/v1/movies/top-rated/",
        "/api/v1/movies/trending/?window=day",
        "/api/v1/genres/",
        "/api/v1/people/popular/",
        "/api/v1/shows/top-rated/",
    ],
)
def test_a_cached_list_is_byte_identical_and_needs_no_query(
    api_client, django_assert_num_queries, url
):
    GenreFactory(name="Drama")
    for _ in range(3):
        RatedMovieFactory()

    first = api_client.get(url)
    with django_assert_num_queries(0):
        second = api_client.get(url)

    assert first.status_code == second.status_code == 200
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]


def test_public_movie_detail_from_the_cache_is_byte_identical(
    api_client, auth_client, django_assert_num_queries
):
    movie = MovieFactory()

    uncached = api_client.get(f"/api/v1/movies/{movie.pk}/")
    with django_assert_num_queries(0):
        cached = api_client.get(f"/api/v1/movies/{movie.pk}/")
    assert cached.content == uncached.content

    # The public part a logged-in request stores is the same bytes an anonymous one gets.
    movie_detail_invalidate(movie.pk)
    auth_client.get(f"/api/v1/movies/{movie.pk}/")
    with django_assert_num_queries(0):
        from_logged_in_fill = api_client.get(f"/api/v1/movies/{movie.pk}/")
    assert from_logged_in_fill.content == uncached.content


def test_invalidation_functions_drop_what_they_name(api_client):
    movie = MovieFactory(title="Before")
    genre = GenreFactory(name="Before genre")
    assert titles(api_client.get("/api/v1/movies/popular/")) == ["Before"]
    api_client.get(f"/api/v1/movies/{movie.pk}/")
    api_client.get("/api/v1/genres/")

    movie.title = "After"
    movie.save()
    genre.name = "After genre"
    genre.save()
    assert titles(api_client.get("/api/v1/movies/popular/")) == ["Before"]

    catalog_lists_invalidate()
    movie_detail_invalidate(movie.pk)
    genres_invalidate()

    assert titles(api_client.get("/api/v1/movies/popular/")) == ["After"]
    assert api_client.get(f"/api/v1/movies/{movie.pk}/").json()["data"]["title"] == "After"
    assert api_client.get("/api/v1/genres/").json()["data"][0]["name"] == "After genre"


def test_with_the_cache_down_lists_and_details_answer_from_the_database(api_client):
    movie = MovieFactory(title="Still here")
    broken = mock.Mock()
    for method in ("get", "get_many", "set", "add", "incr", "delete_many"):
        getattr(broken, method).side_effect = ConnectionError("cache down")

    # Every catalog cache call goes through apps.core.cache; make each of them fail.
    with mock.patch("apps.core.cache.cache", broken):
        popular = api_client.get("/api/v1/movies/popular/")
        detail = api_client.get(f"/api/v1/movies/{movie.pk}/")
        genres = api_client.get("/api/v1/genres/")
        catalog_lists_invalidate()

    assert popular.status_code == detail.status_code == genres.status_code == 200
    assert titles(popular) == ["Still here"]
    assert detail.json()["data"]["title"] == "Still here"


def test_junk_query_parameters_do_not_create_new_cache_entries(
    api_client, django_assert_num_queries
):
    movie = MovieFactory(title="Cached")
    first = api_client.get("/api/v1/movies/popular/")
    Movie.objects.filter(pk=movie.pk).update(title="Changed behind the cache")

    with django_assert_num_queries(0):
        junk = [api_client.get("/api/v1/movies/popular/", {"junk": n}) for n in ("1", "2")]

    # Each was answered from the entry the plain request stored, not from an entry of its own.
    assert [response.content for response in junk] == [first.content, first.content]


def test_genres_list_every_genre_by_name(api_client, django_assert_num_queries):
    GenreFactory(name="Western", slug="western")
    GenreFactory(name="Action", slug="action")

    with django_assert_num_queries(2):  # count, page
        response = api_client.get("/api/v1/genres/")

    assert [genre["slug"] for genre in response.json()["data"]] == ["action", "western"]


def test_cached_similar_movies_are_byte_identical_and_need_no_query(
    api_client, django_assert_num_queries
):
    genre = GenreFactory()
    movie = MovieFactory(genres=[genre])
    MovieFactory(genres=[genre])

    first = api_client.get(f"/api/v1/movies/{movie.pk}/similar/")
    with django_assert_num_queries(0):
        second = api_client.get(f"/api/v1/movies/{movie.pk}/similar/")

    assert len(first.json()["data"]) == 1
    assert second.content == first.content
