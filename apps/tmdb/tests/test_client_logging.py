"""No TMDb credential reaches a log record, on success or on any failure (issue 11 item 2).

The client is tested with the log handlers' redaction removed (``raw_records``), so these tests
show the key never enters a record at all; apps/core/tests/test_log_redaction.py tests the
handlers' redaction, the second net.
"""

import http.server
import logging
import threading
import traceback

import httpcore
import httpx
import pytest

from apps.core.logging import SecretRedactingFilter
from apps.tmdb.client import TMDbClient, _environment_transport
from apps.tmdb.exceptions import TMDbNotFound, TMDbUnavailable

pytestmark = pytest.mark.django_db

API_KEY = "v3key-0123456789abcdef0123456789ab"
READ_TOKEN = "v4token.eyJhdWQiOiJzZWNyZXQifQ.0123456789"
MOVIE = {"id": 550, "title": "Fight Club", "results": []}


@pytest.fixture
def raw_records(caplog):
    """Every record at DEBUG from every logger, with the handlers' secret redaction taken off."""
    removed = []
    for handler in logging.getLogger().handlers:
        for log_filter in list(handler.filters):
            if isinstance(log_filter, SecretRedactingFilter):
                handler.removeFilter(log_filter)
                removed.append((handler, log_filter))
    caplog.set_level(logging.DEBUG)
    yield caplog
    for handler, log_filter in removed:
        handler.addFilter(log_filter)


def record_texts(record: logging.LogRecord):
    yield record.getMessage()
    yield repr(record.args)
    if record.exc_info:
        yield "".join(traceback.format_exception(*record.exc_info))
    yield from (repr(value) for value in vars(record).values())


def assert_no_secret_logged(caplog, *secrets: str) -> None:
    assert caplog.records, "nothing was logged: the capture is not working"
    for record in caplog.records:
        for text in record_texts(record):
            for secret in secrets:
                assert secret not in text, f"{record.name} logged a secret: {text[:300]}"


@pytest.fixture
def keyed(tmdb_settings):
    tmdb_settings.TMDB_API_KEY = API_KEY
    return tmdb_settings


def test_a_successful_call_sends_the_v3_key_but_logs_no_trace_of_it(keyed, tmdb_mock, raw_records):
    route = tmdb_mock.get("/movie/550").mock(return_value=httpx.Response(200, json=MOVIE))

    TMDbClient().movie_details(550)

    assert route.calls[0].request.url.params["api_key"] == API_KEY
    assert any(r.name == "httpx" for r in raw_records.records)  # httpx did log the request
    assert_no_secret_logged(raw_records, API_KEY)


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(404, json={"status_code": 34}),
        httpx.Response(401, json={"status_code": 7}),
        httpx.Response(400, json={"status_code": 22}),
        httpx.Response(500, json={"status_code": 11}),
        httpx.Response(429, headers={"Retry-After": "600"}, json={"status_code": 25}),
        httpx.Response(200, text="<html>not json</html>"),
    ],
    ids=["404", "401", "400", "500", "429", "malformed"],
)
def test_a_failed_call_logs_no_trace_of_the_key(keyed, tmdb_mock, no_sleep, raw_records, answer):
    tmdb_mock.get("/movie/550").mock(return_value=answer)

    with pytest.raises((TMDbNotFound, TMDbUnavailable)):
        TMDbClient().movie_details(550)

    assert_no_secret_logged(raw_records, API_KEY)


@pytest.mark.parametrize("error", [httpx.ReadTimeout, httpx.ConnectTimeout, httpx.ConnectError])
def test_timeouts_and_connection_errors_log_no_trace_of_the_key(
    keyed, tmdb_mock, no_sleep, raw_records, error
):
    tmdb_mock.get("/movie/550").mock(side_effect=error("boom"))

    with pytest.raises(TMDbUnavailable):
        TMDbClient().movie_details(550)

    assert_no_secret_logged(raw_records, API_KEY)


def test_breaker_opening_and_refusing_logs_no_trace_of_the_key(
    keyed, tmdb_mock, no_sleep, raw_records
):
    tmdb_mock.get("/movie/550").mock(return_value=httpx.Response(503))

    for _ in range(keyed.TMDB_BREAKER_THRESHOLD + 2):  # opens, then refuses without calling
        with pytest.raises(TMDbUnavailable):
            TMDbClient().movie_details(550)

    assert TMDbClient().breaker.state() == "open"
    assert any(r.getMessage() == "tmdb_breaker_open" for r in raw_records.records)
    assert_no_secret_logged(raw_records, API_KEY)


def test_the_on_demand_route_logs_no_trace_of_the_key_when_tmdb_fails(
    keyed, tmdb_mock, no_sleep, raw_records, api_client
):
    tmdb_mock.get("/movie/550").mock(return_value=httpx.Response(500))

    response = api_client.get("/api/v1/movies/tmdb/550/")

    assert response.status_code == 503
    assert any(r.name == "django.request" for r in raw_records.records)
    assert_no_secret_logged(raw_records, API_KEY)


def test_the_v4_read_token_travels_in_a_header_and_is_never_logged(
    tmdb_settings, tmdb_mock, raw_records
):
    tmdb_settings.TMDB_READ_TOKEN = READ_TOKEN
    tmdb_settings.TMDB_API_KEY = API_KEY
    route = tmdb_mock.get("/movie/550").mock(return_value=httpx.Response(200, json=MOVIE))

    TMDbClient().movie_details(550)

    request = route.calls[0].request
    assert request.headers["Authorization"] == f"Bearer {READ_TOKEN}"
    assert "api_key" not in request.url.params  # the token is preferred: no key in any URL
    assert_no_secret_logged(raw_records, API_KEY, READ_TOKEN)


class _RecordingHandler(http.server.BaseHTTPRequestHandler):
    paths: list[str] = []

    def do_GET(self):
        type(self).paths.append(self.path)
        body = b'{"id": 550, "title": "Fight Club"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        return None


def test_a_real_http_call_at_debug_sends_the_key_and_logs_none_of_it(keyed, raw_records):
    """Over a real socket (no respx), so httpcore's own debug records are included."""
    _RecordingHandler.paths = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _RecordingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base_url = f"http://127.0.0.1:{server.server_address[1]}/3"
        body = TMDbClient(base_url=base_url).movie_details(550)
    finally:
        server.shutdown()
        server.server_close()

    assert body["title"] == "Fight Club"
    assert f"api_key={API_KEY}" in _RecordingHandler.paths[0]
    assert any(r.name.startswith("httpcore") for r in raw_records.records)
    assert_no_secret_logged(raw_records, API_KEY)


@pytest.mark.parametrize(
    ("environment", "proxied"),
    [
        ({"HTTPS_PROXY": "http://proxy.internal:3128"}, True),
        ({"HTTPS_PROXY": "proxy.internal:3128"}, True),
        ({"HTTPS_PROXY": "http://proxy.internal:3128", "NO_PROXY": "api.themoviedb.org"}, False),
        ({}, False),
    ],
)
def test_the_key_transport_still_goes_through_the_environment_s_proxy(
    monkeypatch, environment, proxied
):
    """httpx ignores HTTPS_PROXY once handed a transport; the key transport's inner one reads it."""
    for name in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)

    transport = _environment_transport("https://api.themoviedb.org/3")

    assert isinstance(transport._pool, httpcore.HTTPProxy) is proxied
