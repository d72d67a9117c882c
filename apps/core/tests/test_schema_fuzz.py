"""schemathesis drives every operation in the OpenAPI schema, anonymous and authenticated.

A 5xx, or a response whose status, content type, headers or body the schema does not
describe, fails the test. New endpoints are covered automatically. The example budget is kept
small so the suite stays fast; raise SCHEMATHESIS_MAX_EXAMPLES locally to dig deeper.
"""

import json
import os

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "8"))

# A documented 503 that says which dependency is missing is the contract, not a failure: the
# suite runs with TMDb unconfigured, so fetching an unknown TMDb id on demand answers it.
DEPENDENCY_OUTAGE_CODES = {"tmdb_unavailable"}


def no_server_error(ctx, response, case):
    """Like schemathesis's not_a_server_error, but a dependency outage 503 is allowed."""
    if response.status_code < 500:
        return None
    if response.status_code == 503:
        try:
            code = json.loads(response.content)["error"]["code"]
        except (ValueError, KeyError, TypeError):
            code = None
        if code in DEPENDENCY_OUTAGE_CODES:
            return None
    raise AssertionError(
        f"{case.method} {case.formatted_path} answered {response.status_code}: "
        f"{response.content[:500]!r}"
    )


CHECKS = [
    no_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


# Loaded at collection time: generating the schema touches no database.
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)

# The in-process transport sends "Accept-Encoding: gzip" and does not decompress: ask for plain
# bodies (compression has its own tests, test_compression.py).
PLAIN = {"Accept-Encoding": "identity"}


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Django's handler closes "obsolete" connections at each request's start and end, and a
    connection inside the test's transaction looks obsolete to it. Django's own test client
    switches that off; schemathesis drives the WSGI application directly, so do the same."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def bearer(user):
    from rest_framework_simplejwt.tokens import RefreshToken

    return {"Authorization": f"Bearer {RefreshToken.for_user(user).access_token}"}


@pytest.mark.slow
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_anonymous_calls_conform_to_the_schema(db, case):
    case.call_and_validate(headers=PLAIN, checks=CHECKS)


@pytest.mark.slow
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_authenticated_calls_conform_to_the_schema(case, bearer):
    case.call_and_validate(headers={**PLAIN, **bearer}, checks=CHECKS)


def test_the_server_error_check_allows_only_a_named_dependency_outage():
    class FakeResponse:
        def __init__(self, status, body):
            self.status_code, self.content = status, json.dumps(body).encode()

    class FakeCase:
        method, formatted_path = "GET", "/api/v1/x/"

    outage = {"success": False, "error": {"code": "tmdb_unavailable"}}
    assert no_server_error(None, FakeResponse(503, outage), FakeCase()) is None
    assert no_server_error(None, FakeResponse(200, {}), FakeCase()) is None
    for status, body in [(500, outage), (503, {"error": {"code": "server_error"}}), (502, {})]:
        with pytest.raises(AssertionError):
            no_server_error(None, FakeResponse(status, body), FakeCase())
