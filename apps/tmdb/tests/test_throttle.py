"""Requests that make the server call TMDb have their own, lower throttle (issue 11 item 8),
and the schema says so (item 18 follow-up)."""

import copy
from types import SimpleNamespace

import httpx
import pytest
from django.utils import timezone

from apps.catalog.models import Movie
from apps.catalog.tests.factories import MovieFactory
from apps.core.context import RequestContext, request_context_enter, request_context_exit
from apps.tmdb import services
from apps.tmdb.client import TMDbClient
from apps.tmdb.exceptions import TMDbThrottled, TMDbUnavailable
from apps.tmdb.tests.conftest import fixture_body
from conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def tmdb_rate(settings, tmdb_settings, monkeypatch):
    """THROTTLE_TMDB of 2 a minute, in one fixed minute (a slow test run never straddles two
    windows); the general anonymous rate stays high."""
    monkeypatch.setattr("apps.core.throttling.time", SimpleNamespace(time=lambda: 6_000_030.0))
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**rates, "tmdb": "2/min"},
    }


@pytest.fixture
def any_movie(tmdb_mock):
    """TMDb answers every /movie/{id} with the recorded Fight Club body under that id."""
    body = fixture_body("movie_550.json")

    def answer(request, tmdb_id):
        return httpx.Response(200, json={**copy.deepcopy(body), "id": int(tmdb_id)})

    return tmdb_mock.get(path__regex=r"/movie/(?P<tmdb_id>\d+)$").mock(side_effect=answer)


def test_an_anonymous_client_is_refused_once_it_made_the_server_call_tmdb_too_often(
    tmdb_rate, any_movie, api_client
):
    first = api_client.get("/api/v1/movies/tmdb/1001/")
    second = api_client.get("/api/v1/movies/tmdb/1002/")
    third = api_client.get("/api/v1/movies/tmdb/1003/")

    assert (first.status_code, second.status_code) == (200, 200)
    assert third.status_code == 429
    assert third.json()["error"]["code"] == "throttled"
    assert 1 <= int(third["Retry-After"]) <= 61
    assert any_movie.call_count == 2  # the third never reached TMDb...
    assert not Movie.objects.filter(tmdb_id=1003).exists()  # ...nor inserted a row


def test_requests_answered_from_the_database_spend_nothing(tmdb_rate, any_movie, api_client):
    # Synced from TMDb already (a never-synced MovieLens movie would be enriched on demand).
    MovieFactory(tmdb_id=603, tmdb_synced_at=timezone.now())
    for _ in range(5):
        assert api_client.get("/api/v1/movies/tmdb/603/").status_code == 200

    assert api_client.get("/api/v1/movies/tmdb/1001/").status_code == 200
    assert any_movie.call_count == 1


def test_the_limit_is_per_client_address(tmdb_rate, any_movie, api_client):
    for tmdb_id in (1001, 1002):
        api_client.get(f"/api/v1/movies/tmdb/{tmdb_id}/", REMOTE_ADDR="10.0.0.1")

    refused = api_client.get("/api/v1/movies/tmdb/1003/", REMOTE_ADDR="10.0.0.1")
    other = api_client.get("/api/v1/movies/tmdb/1003/", REMOTE_ADDR="10.0.0.2")

    assert (refused.status_code, other.status_code) == (429, 200)


def test_signed_in_users_are_counted_too(tmdb_rate, any_movie, user):
    client = client_for(user)
    statuses = [client.get(f"/api/v1/movies/tmdb/{i}/").status_code for i in (1, 2, 3)]

    assert statuses == [200, 200, 429]


def test_a_request_is_counted_once_however_many_tmdb_calls_it_makes(tmdb_rate, any_movie):
    token = request_context_enter(RequestContext("req-1", {"REMOTE_ADDR": "10.0.0.9"}))
    try:
        for tmdb_id in (1, 2, 3, 4):  # one request, four calls
            TMDbClient().movie_details(tmdb_id)
    finally:
        request_context_exit(token)

    assert any_movie.call_count == 4


def test_a_refused_request_does_not_count_against_the_breaker(tmdb_rate, any_movie):
    for request_id in ("a", "b", "c", "d", "e"):
        token = request_context_enter(RequestContext(request_id, {"REMOTE_ADDR": "10.0.0.9"}))
        try:
            TMDbClient().movie_details(int.from_bytes(request_id.encode()))
        except TMDbThrottled as exc:
            assert isinstance(exc, TMDbUnavailable)  # code that degrades without TMDb still does
        finally:
            request_context_exit(token)

    assert any_movie.call_count == 2
    assert TMDbClient().breaker.state() == "closed"


def test_background_work_outside_a_request_is_never_throttled(tmdb_rate, any_movie):
    for tmdb_id in (1, 2, 3, 4):
        services.movie_sync_from_tmdb(tmdb_id=tmdb_id)

    assert Movie.objects.filter(tmdb_id__in=[1, 2, 3, 4]).count() == 4


def _operation(schema: dict, operation_id: str) -> dict:
    for path_item in schema["paths"].values():
        for operation in path_item.values():
            if isinstance(operation, dict) and operation.get("operationId") == operation_id:
                return operation
    raise AssertionError(f"no operation {operation_id}")


def test_the_schema_documents_the_tmdb_429_with_the_envelope_and_retry_after():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    responses = schema["components"]["responses"]

    by_tmdb_id = _operation(schema, "movie_by_tmdb_id")["responses"]
    assert by_tmdb_id["429"] == {"$ref": "#/components/responses/Error429TMDb"}
    assert by_tmdb_id["503"] == {"$ref": "#/components/responses/Error503TMDb"}
    throttled = responses["Error429TMDb"]
    assert "THROTTLE_TMDB" in throttled["description"]
    assert throttled["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorEnvelope"
    }
    assert throttled["headers"]["Retry-After"]["schema"]["type"] == "integer"
    assert "tmdb_unavailable" in responses["Error503TMDb"]["description"]
    # A route that never reaches TMDb keeps the generic answers, its 429 with Retry-After too.
    movie_list = _operation(schema, "movies_list")["responses"]
    assert movie_list["429"] == {"$ref": "#/components/responses/Error429"}
    assert movie_list["503"] == {"$ref": "#/components/responses/Error503"}
    assert "Retry-After" in responses["Error429"]["headers"]
