"""The django.request line of an error answer carries the request id (issue 11 item 18)."""

import io
import json
import logging

import pytest

from apps.core.logging import RequestContextFilter

pytestmark = pytest.mark.django_db


@pytest.fixture
def server_lines():
    """The JSON lines the configured stdout handler writes (its stream swapped for a buffer)."""
    handler = next(
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, RequestContextFilter) for f in h.filters)
    )
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    yield lambda: [json.loads(line) for line in buffer.getvalue().splitlines()]
    handler.setStream(previous)


def test_the_django_request_line_of_a_503_carries_the_request_id(
    settings, api_client, server_lines
):
    settings.TMDB_API_KEY = ""
    settings.TMDB_READ_TOKEN = ""  # TMDb unconfigured: an unknown TMDb id is a 503

    response = api_client.get("/api/v1/movies/tmdb/550/", HTTP_X_REQUEST_ID="trace-503-a")

    assert response.status_code == 503
    lines = [line for line in server_lines() if line["logger"] == "django.request"]
    assert lines, "Django wrote no django.request line for the 503"
    assert lines[0]["level"] == "error"
    assert lines[0]["request_id"] == "trace-503-a" == response["X-Request-ID"]


def test_a_generated_request_id_is_the_one_on_the_line(settings, api_client, server_lines):
    settings.TMDB_API_KEY = ""
    settings.TMDB_READ_TOKEN = ""

    response = api_client.get("/api/v1/movies/tmdb/551/")

    line = next(line for line in server_lines() if line["logger"] == "django.request")
    assert line["request_id"] == response["X-Request-ID"]
    assert len(line["request_id"]) == 32


def test_a_line_outside_any_request_has_no_request_id(server_lines):
    logging.getLogger("apps.somewhere").error("no request here")

    assert server_lines()[-1]["request_id"] is None
