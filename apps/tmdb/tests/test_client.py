import logging

import httpx
import pytest

from apps.catalog.images import IMAGE_BASE_CACHE_KEY
from apps.core.cache import cache_get
from apps.core.testing import cache_calls, cache_unavailable
from apps.tmdb.client import TMDbClient
from apps.tmdb.exceptions import TMDbNotConfigured, TMDbNotFound, TMDbUnavailable
from apps.tmdb.tests.conftest import fixture_body

pytestmark = pytest.mark.django_db

# A page in the shape of TMDb's movie lists. The client's tests check the transport (auth,
# retries, the breaker, caching), not the body, and a bare clone without ../shared must run them;
# the recorded bodies are replayed where their content matters (mapping and sync tests).
POPULAR = {
    "page": 1,
    "results": [{"id": 550, "title": "Fight Club", "popularity": 61.4}],
    "total_pages": 1,
    "total_results": 1,
}


def test_api_key_is_sent_as_the_v3_query_parameter(tmdb_mock):
    route = tmdb_mock.get("/movie/popular").mock(return_value=httpx.Response(200, json=POPULAR))

    body = TMDbClient().movie_list("popular")

    assert body["results"][0]["id"] == POPULAR["results"][0]["id"]
    request = route.calls[0].request
    assert request.url.params["api_key"] == "test-key"
    assert "Authorization" not in request.headers


def test_read_token_is_sent_as_a_bearer_header_and_not_in_the_url(tmdb_mock, settings):
    settings.TMDB_READ_TOKEN = "v4-token"
    route = tmdb_mock.get("/movie/popular").mock(return_value=httpx.Response(200, json=POPULAR))

    TMDbClient().movie_list("popular")

    request = route.calls[0].request
    assert request.headers["Authorization"] == "Bearer v4-token"
    assert "api_key" not in request.url.params


def test_unconfigured_client_refuses_without_touching_the_network(tmdb_mock, settings):
    settings.TMDB_API_KEY = ""
    route = tmdb_mock.get("/movie/popular")

    with pytest.raises(TMDbNotConfigured):
        TMDbClient().movie_list("popular")
    assert route.call_count == 0


def test_successful_response_is_cached_and_served_without_a_second_request(tmdb_mock):
    route = tmdb_mock.get("/movie/popular").mock(return_value=httpx.Response(200, json=POPULAR))

    first = TMDbClient().movie_list("popular")
    second = TMDbClient().movie_list("popular")

    assert first == second
    assert route.call_count == 1


def test_configuration_stores_the_secure_image_base_url(tmdb_mock):
    body = fixture_body("configuration.json")
    tmdb_mock.get("/configuration").mock(return_value=httpx.Response(200, json=body))

    TMDbClient().configuration()

    assert cache_get(IMAGE_BASE_CACHE_KEY) == body["images"]["secure_base_url"]


def test_bad_key_fails_at_once_without_retrying(tmdb_mock, no_sleep):
    route = tmdb_mock.get("/movie/popular").mock(
        return_value=httpx.Response(401, json=fixture_body("error_401_invalid_api_key.json"))
    )

    for _ in range(4):  # more than TMDB_BREAKER_THRESHOLD
        with pytest.raises(TMDbUnavailable, match="credentials"):
            TMDbClient().movie_list("popular")
    assert route.call_count == 4
    assert no_sleep == []
    assert TMDbClient().breaker.state() == "closed"  # TMDb is up; the key is wrong


def test_not_found_raises_not_found_without_retrying(tmdb_mock, no_sleep):
    route = tmdb_mock.get("/movie/1").mock(
        return_value=httpx.Response(404, json=fixture_body("error_404_not_found.json"))
    )

    with pytest.raises(TMDbNotFound):
        TMDbClient().movie_details(1)
    assert route.call_count == 1
    assert TMDbClient().breaker.state() == "closed"


def test_rate_limit_waits_the_retry_after_header_then_succeeds(tmdb_mock, no_sleep):
    limited = httpx.Response(
        429, json=fixture_body("error_429_rate_limited.json"), headers={"Retry-After": "3"}
    )
    route = tmdb_mock.get("/movie/popular").mock(
        side_effect=[limited, httpx.Response(200, json=POPULAR)]
    )

    body = TMDbClient().movie_list("popular")

    assert body["page"] == 1
    assert route.call_count == 2
    assert no_sleep == [3.0]


def test_rate_limit_with_a_retry_after_beyond_the_bound_fails_without_waiting(tmdb_mock, no_sleep):
    route = tmdb_mock.get("/movie/popular").mock(
        return_value=httpx.Response(
            429, json=fixture_body("error_429_rate_limited.json"), headers={"Retry-After": "600"}
        )
    )

    with pytest.raises(TMDbUnavailable) as caught:
        TMDbClient().movie_list("popular")
    assert route.call_count == 1
    assert no_sleep == []
    assert caught.value.headers["Retry-After"] == "601"


def test_server_errors_are_retried_with_growing_backoff_then_fail(tmdb_mock, no_sleep):
    route = tmdb_mock.get("/movie/popular").mock(return_value=httpx.Response(500))

    with pytest.raises(TMDbUnavailable, match="http_500"):
        TMDbClient().movie_list("popular")

    assert route.call_count == 3  # TMDB_MAX_RETRIES = 2 in these tests
    assert len(no_sleep) == 2
    assert 0.5 <= no_sleep[0] <= 1.0
    assert 1.0 <= no_sleep[1] <= 1.5


def test_a_transient_server_error_is_retried_and_the_call_succeeds(tmdb_mock, no_sleep):
    route = tmdb_mock.get("/movie/popular").mock(
        side_effect=[httpx.Response(503), httpx.Response(200, json=POPULAR)]
    )

    assert TMDbClient().movie_list("popular")["page"] == 1
    assert route.call_count == 2


def test_timeouts_are_retried_then_fail(tmdb_mock, no_sleep):
    route = tmdb_mock.get("/movie/popular").mock(side_effect=httpx.ReadTimeout("slow"))

    with pytest.raises(TMDbUnavailable, match="timeout"):
        TMDbClient().movie_list("popular")
    assert route.call_count == 3


def test_connection_errors_are_retried_then_fail(tmdb_mock, no_sleep):
    route = tmdb_mock.get("/movie/popular").mock(side_effect=httpx.ConnectError("refused"))

    with pytest.raises(TMDbUnavailable, match="connection_error"):
        TMDbClient().movie_list("popular")
    assert route.call_count == 3


def test_malformed_json_is_a_failure_and_is_not_cached(tmdb_mock, no_sleep):
    route = tmdb_mock.get("/movie/popular").mock(
        return_value=httpx.Response(200, content=b'{"page": 1, "results": [')
    )

    with pytest.raises(TMDbUnavailable, match="malformed_json"):
        TMDbClient().movie_list("popular")
    route.mock(return_value=httpx.Response(200, json=POPULAR))
    assert TMDbClient().movie_list("popular")["page"] == 1


def test_json_that_is_not_an_object_is_a_failure(tmdb_mock, no_sleep):
    tmdb_mock.get("/movie/popular").mock(return_value=httpx.Response(200, json=[1, 2]))

    with pytest.raises(TMDbUnavailable, match="malformed_json"):
        TMDbClient().movie_list("popular")


def test_breaker_opens_after_consecutive_failures_and_refuses_calls(tmdb_mock, no_sleep):
    route = tmdb_mock.get("/movie/popular").mock(return_value=httpx.Response(500))
    for _ in range(3):  # TMDB_BREAKER_THRESHOLD = 3
        with pytest.raises(TMDbUnavailable):
            TMDbClient().movie_list("popular")
    calls = route.call_count

    with pytest.raises(TMDbUnavailable, match="circuit open"):
        TMDbClient().movie_list("popular")
    assert route.call_count == calls
    assert TMDbClient().breaker.state() == "open"


def test_breaker_half_opens_after_the_cooldown_and_one_successful_probe_closes_it(
    tmdb_mock, no_sleep, monkeypatch
):
    route = tmdb_mock.get("/movie/popular").mock(return_value=httpx.Response(500))
    for _ in range(3):
        with pytest.raises(TMDbUnavailable):
            TMDbClient().movie_list("popular")
    now = __import__("time").time()
    monkeypatch.setattr("apps.tmdb.breaker.time.time", lambda: now + 31)
    assert TMDbClient().breaker.state() == "half_open"

    route.mock(return_value=httpx.Response(200, json=POPULAR))
    assert TMDbClient().movie_list("popular")["page"] == 1
    assert TMDbClient().breaker.state() == "closed"


def test_half_open_lets_a_single_probe_through_and_a_failed_probe_reopens(
    tmdb_mock, no_sleep, monkeypatch
):
    route = tmdb_mock.get("/movie/popular").mock(return_value=httpx.Response(500))
    for _ in range(3):
        with pytest.raises(TMDbUnavailable):
            TMDbClient().movie_list("popular")
    now = __import__("time").time()
    monkeypatch.setattr("apps.tmdb.breaker.time.time", lambda: now + 31)
    breaker = TMDbClient().breaker
    assert breaker.allow() is True  # this caller holds the probe
    assert breaker.allow() is False  # everyone else waits for its outcome

    breaker.record_failure()
    assert breaker.state() == "open"
    calls = route.call_count
    with pytest.raises(TMDbUnavailable, match="circuit open"):
        TMDbClient().movie_list("popular")
    assert route.call_count == calls


def test_a_success_resets_the_consecutive_failure_count(tmdb_mock, no_sleep):
    route = tmdb_mock.get("/movie/popular")
    for _ in range(2):
        route.mock(return_value=httpx.Response(500))
        with pytest.raises(TMDbUnavailable):
            TMDbClient().movie_list("popular")
        route.mock(return_value=httpx.Response(200, json=POPULAR))
        TMDbClient().get("/movie/popular", params={"page": 1})  # not cached: ttl 0

    assert TMDbClient().breaker.state() == "closed"


def test_an_outage_is_logged_once_not_per_call(tmdb_mock, no_sleep, caplog, settings):
    settings.TMDB_BREAKER_THRESHOLD = 100
    tmdb_mock.get("/movie/popular").mock(return_value=httpx.Response(502))

    with caplog.at_level(logging.WARNING, logger="apps.tmdb.client"):
        for _ in range(5):
            with pytest.raises(TMDbUnavailable):
                TMDbClient().movie_list("popular")

    outage_lines = [r for r in caplog.records if r.getMessage() == "tmdb_unavailable"]
    assert len(outage_lines) == 1


def test_with_the_cache_down_the_breaker_stays_closed_and_tmdb_is_still_called(tmdb_mock, no_sleep):
    route = tmdb_mock.get("/movie/popular").mock(return_value=httpx.Response(500))

    with cache_unavailable():
        for _ in range(5):  # past TMDB_BREAKER_THRESHOLD, but nothing can count the failures
            with pytest.raises(TMDbUnavailable, match="http_500"):
                TMDbClient().movie_list("popular")
        route.mock(return_value=httpx.Response(200, json=POPULAR))
        assert TMDbClient().movie_list("popular")["page"] == 1
        assert TMDbClient().breaker.state() == "closed"


@pytest.mark.performance
def test_a_healthy_call_costs_the_breaker_one_cache_round_trip(tmdb_mock):
    tmdb_mock.get("/movie/popular").mock(return_value=httpx.Response(200, json=POPULAR))
    client = TMDbClient()

    with cache_calls() as calls:
        client.get("/movie/popular", params={"page": 1})  # ttl 0: the body is not cached

    assert calls == ["get_many"]
