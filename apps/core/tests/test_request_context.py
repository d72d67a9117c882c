import json
import logging

import pytest

from apps.core.logging import JSONFormatter, RequestContextFilter

pytestmark = [pytest.mark.urls("apps.core.tests.urls"), pytest.mark.django_db]


def test_a_sane_incoming_request_id_is_kept_and_returned(api_client):
    response = api_client.get("/t/echo/", HTTP_X_REQUEST_ID="abc-123.DEF:9")
    assert response["X-Request-ID"] == "abc-123.DEF:9"


@pytest.mark.parametrize("incoming", ["", "x" * 200, "bad id with spaces", "<script>", "-leading"])
def test_an_insane_request_id_is_replaced(api_client, incoming):
    response = api_client.get("/t/echo/", HTTP_X_REQUEST_ID=incoming)
    assert response["X-Request-ID"] != incoming
    assert len(response["X-Request-ID"]) == 32


def test_every_response_has_a_fresh_request_id_and_timing(api_client):
    first = api_client.get("/t/echo/")
    second = api_client.get("/t/echo/")
    assert first["X-Request-ID"] != second["X-Request-ID"]
    assert first["Server-Timing"].startswith("app;dur=")


def test_log_lines_are_json_with_the_request_id(api_client, caplog):
    formatter = JSONFormatter()
    with caplog.at_level(logging.INFO, logger="apps.core.access"):
        response = api_client.get("/t/echo/", HTTP_X_REQUEST_ID="log-me-1")
    records = [r for r in caplog.records if r.name == "apps.core.access"]
    assert records, "the access log line was not written"
    RequestContextFilter().filter(records[-1])
    line = json.loads(formatter.format(records[-1]))
    assert line["request_id"] == "log-me-1" == response["X-Request-ID"]
    assert line["status"] == 200
    assert line["path"] == "/t/echo/"
    assert line["duration_ms"] >= 0


def test_log_lines_inside_a_request_carry_its_id(api_client, caplog):
    with caplog.at_level(logging.ERROR, logger="apps.core.exceptions"):
        api_client.get("/t/boom/", HTTP_X_REQUEST_ID="boom-7")
    record = next(r for r in caplog.records if r.name == "apps.core.exceptions")
    RequestContextFilter().filter(record)
    assert json.loads(JSONFormatter().format(record))["request_id"] == "boom-7"
