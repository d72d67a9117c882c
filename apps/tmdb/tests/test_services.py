import httpx
import pytest
from django.utils import timezone

from apps.catalog.images import image_base_url
from apps.catalog.models import Genre, Movie, MovieCast, MovieCrew
from apps.core.exceptions import NotFound
from apps.tmdb.exceptions import TMDbUnavailable
from apps.tmdb.services import (
    configuration_sync,
    genres_sync,
    movie_fetch_by_tmdb_id,
    movies_to_enrich,
)
from apps.tmdb.tests.conftest import fixture_body

pytestmark = pytest.mark.django_db


def test_fetch_unknown_tmdb_id_creates_the_movie_with_credits(tmdb_mock, no_sleep):
    body = fixture_body("movie_550_append_credits_keywords_release_dates.json")
    route = tmdb_mock.get("/movie/550").mock(return_value=httpx.Response(200, json=body))

    movie = movie_fetch_by_tmdb_id(tmdb_id=550)

    assert route.call_count == 1
    assert route.calls[0].request.url.params["append_to_response"] == (
        "credits,videos,keywords,release_dates,watch/providers"
    )
    assert movie.title == "Fight Club"
    assert movie.imdb_id == "tt0137523"
    assert movie.runtime == 139
    assert movie.tmdb_synced_at is not None
    assert MovieCast.objects.filter(movie=movie).count() == len(body["credits"]["cast"])
    assert MovieCrew.objects.filter(movie=movie).count() == len(body["credits"]["crew"])
    assert list(movie.genres.values_list("tmdb_id", flat=True)) == [18]


def test_fetch_known_tmdb_id_answers_from_the_database_without_calling_tmdb(tmdb_mock):
    existing = Movie.objects.create(tmdb_id=550, title="Fight Club", tmdb_synced_at=timezone.now())
    route = tmdb_mock.get("/movie/550")

    assert movie_fetch_by_tmdb_id(tmdb_id=550) == existing
    assert route.call_count == 0


def test_fetch_of_an_id_tmdb_does_not_know_raises_not_found(tmdb_mock):
    tmdb_mock.get("/movie/999999").mock(
        return_value=httpx.Response(404, json=fixture_body("error_404_not_found.json"))
    )

    with pytest.raises(NotFound):
        movie_fetch_by_tmdb_id(tmdb_id=999999)
    assert not Movie.objects.exists()


def test_fetch_without_tmdb_configured_raises_tmdb_unavailable(settings):
    settings.TMDB_API_KEY = ""
    settings.TMDB_READ_TOKEN = ""

    with pytest.raises(TMDbUnavailable) as caught:
        movie_fetch_by_tmdb_id(tmdb_id=550)
    assert caught.value.status_code == 503
    assert caught.value.code == "tmdb_unavailable"


def test_on_demand_fetch_retries_less_than_a_background_sync(tmdb_mock, no_sleep, settings):
    settings.TMDB_ON_DEMAND_MAX_RETRIES = 1
    route = tmdb_mock.get("/movie/550").mock(return_value=httpx.Response(503))

    with pytest.raises(TMDbUnavailable):
        movie_fetch_by_tmdb_id(tmdb_id=550)

    assert route.call_count == 2
    assert not Movie.objects.exists()


def test_fetch_of_an_impossible_id_is_not_found_without_calling_tmdb(tmdb_mock):
    route = tmdb_mock.get(url__regex=r"/movie/.*")

    with pytest.raises(NotFound):
        movie_fetch_by_tmdb_id(tmdb_id=0)
    with pytest.raises(NotFound):
        movie_fetch_by_tmdb_id(tmdb_id=2**40)
    assert route.call_count == 0


def test_configuration_sync_stores_the_secure_image_base_url_for_image_links(tmdb_mock):
    body = fixture_body("configuration.json")
    tmdb_mock.get("/configuration").mock(return_value=httpx.Response(200, json=body))

    assert configuration_sync() == body
    assert image_base_url() == body["images"]["secure_base_url"]


def test_genres_sync_upserts_movie_and_tv_genres(tmdb_mock):
    movie_genres, tv_genres = (
        fixture_body("genre_movie_list.json"),
        fixture_body("genre_tv_list.json"),
    )
    tmdb_mock.get("/genre/movie/list").mock(return_value=httpx.Response(200, json=movie_genres))
    tmdb_mock.get("/genre/tv/list").mock(return_value=httpx.Response(200, json=tv_genres))

    listed = genres_sync()
    genres_sync()  # a second sync adds nothing

    assert listed == len(movie_genres["genres"]) + len(tv_genres["genres"])
    ids = {genre["id"] for genre in movie_genres["genres"] + tv_genres["genres"]}
    assert set(Genre.objects.values_list("tmdb_id", flat=True)) == ids


def test_movies_to_enrich_are_the_movies_known_only_by_tmdb_id():
    waiting = Movie.objects.create(tmdb_id=1, title="Waiting")
    Movie.objects.create(tmdb_id=2, title="Synced", tmdb_synced_at=timezone.now())
    Movie.objects.create(tmdb_id=None, title="No TMDb id")

    assert list(movies_to_enrich()) == [waiting]
