"""movies/tmdb/{tmdb_id}/: the catalog's movie detail, looked up by TMDb id (fetched on demand)."""

from unittest import mock

import pytest
from django.utils import timezone

from apps.catalog.tests.factories import MovieFactory
from apps.core.exceptions import NotFound, ServiceUnavailable

pytestmark = pytest.mark.django_db


def test_movie_by_tmdb_id_serves_a_synced_movie_without_calling_tmdb(api_client, settings):
    settings.TMDB_ENABLED = True
    movie = MovieFactory(tmdb_id=603, tmdb_synced_at=timezone.now())

    with mock.patch("apps.tmdb.services.movie_sync_from_tmdb") as sync:
        response = api_client.get("/api/v1/movies/tmdb/603/")

    assert response.status_code == 200
    assert response.json()["data"]["id"] == movie.pk
    sync.assert_not_called()


def test_movie_by_tmdb_id_fetches_an_unknown_movie_on_demand(api_client):
    def fetch(*, tmdb_id):
        return MovieFactory(tmdb_id=tmdb_id, title="Fetched")

    with mock.patch("apps.tmdb.views.movie_fetch_by_tmdb_id", side_effect=fetch):
        response = api_client.get("/api/v1/movies/tmdb/550/")

    assert response.status_code == 200
    assert response.json()["data"]["title"] == "Fetched"


@pytest.mark.parametrize(("error", "status"), [(NotFound, 404), (ServiceUnavailable, 503)])
def test_movie_by_tmdb_id_passes_on_tmdb_not_found_and_outage(api_client, error, status):
    with mock.patch("apps.tmdb.views.movie_fetch_by_tmdb_id", side_effect=error()):
        response = api_client.get("/api/v1/movies/tmdb/550/")

    assert response.status_code == status
    assert response.json()["success"] is False


def test_movie_by_tmdb_id_of_an_inactive_movie_is_a_404_without_fetching(api_client):
    MovieFactory(tmdb_id=77, is_active=False)

    with mock.patch("apps.tmdb.views.movie_fetch_by_tmdb_id") as fetch:
        response = api_client.get("/api/v1/movies/tmdb/77/")

    assert response.status_code == 404
    fetch.assert_not_called()
