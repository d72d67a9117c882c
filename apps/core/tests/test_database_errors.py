"""Only an unreachable or unavailable database is a 503; a wrong statement is a bug and a 500
with its log line (issue 11.16). The admin, outside DRF, answers 503 too when the database is
gone."""

import logging
import sqlite3

import psycopg
import pytest
from django.db import (
    DataError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    ProgrammingError,
    connection,
)
from psycopg import errors as pg

from apps.core.exceptions import database_unavailable

pytestmark = pytest.mark.django_db


def wrapped(django_type, driver_exc):
    """A driver error as Django raises it (Django's error wrapper keeps the driver's error as
    the cause)."""
    exc = django_type(*driver_exc.args)
    exc.__cause__ = driver_exc
    return exc


@pytest.mark.parametrize(
    "exc",
    [
        wrapped(OperationalError, psycopg.OperationalError("connection refused")),
        wrapped(OperationalError, pg.AdminShutdown("terminating connection")),
        wrapped(OperationalError, pg.CannotConnectNow("the database system is starting up")),
        wrapped(OperationalError, pg.TooManyConnections("too many clients")),
        wrapped(OperationalError, pg.QueryCanceled("statement timeout")),
        wrapped(OperationalError, pg.SerializationFailure("could not serialize")),
        wrapped(OperationalError, pg.LockNotAvailable("could not obtain lock")),
        wrapped(OperationalError, sqlite3.OperationalError("database is locked")),
        wrapped(OperationalError, sqlite3.OperationalError("unable to open database file")),
        wrapped(InterfaceError, psycopg.InterfaceError("the connection is closed")),
        OperationalError("server closed the connection unexpectedly"),
    ],
    ids=repr,
)
def test_availability_errors_are_outages(exc):
    assert database_unavailable(exc)


@pytest.mark.parametrize(
    "exc",
    [
        wrapped(ProgrammingError, pg.UndefinedTable('relation "x" does not exist')),
        wrapped(ProgrammingError, pg.SyntaxError("syntax error")),
        wrapped(DataError, pg.NumericValueOutOfRange("integer out of range")),
        wrapped(IntegrityError, pg.UniqueViolation("duplicate key")),
        wrapped(OperationalError, sqlite3.OperationalError("no such table: x")),
        wrapped(OperationalError, sqlite3.OperationalError('near "SELEC": syntax error')),
    ],
    ids=repr,
)
def test_statement_errors_are_bugs(exc):
    assert not database_unavailable(exc)


@pytest.mark.urls("apps.core.tests.urls")
def test_a_wrong_statement_is_a_500_with_a_log_line_not_a_503(api_client, caplog):
    api_client.raise_request_exception = False
    with caplog.at_level(logging.ERROR, logger="apps.core.exceptions"):
        response = api_client.get("/t/bad-sql/")
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "server_error"
    lines = [r for r in caplog.records if r.name == "apps.core.exceptions"]
    assert [r.getMessage() for r in lines] == ["unhandled_exception"]
    # The traceback (the redacting log filter may already have formatted it into exc_text).
    assert lines[0].exc_info is not None or "no_such_table_for_tests" in lines[0].exc_text


@pytest.fixture
def database_gone(monkeypatch):
    """Every new cursor fails as the driver fails when the server cannot be reached."""
    if connection.vendor == "sqlite":
        error = sqlite3.OperationalError("unable to open database file")
    else:
        error = psycopg.OperationalError(
            'connection to server at "127.0.0.1", port 5432 failed: Connection refused'
        )

    def refuse(*args, **kwargs):
        raise error

    monkeypatch.setattr(connection, "create_cursor", refuse)


def test_the_admin_login_post_is_a_503_page_when_the_database_is_gone(client, database_gone):
    response = client.post("/admin/login/", {"username": "admin", "password": "whatever-it-is"})
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    assert b"Service unavailable" in response.content
    assert response["Retry-After"]


def test_an_api_call_is_a_503_in_the_envelope_when_the_database_is_gone(api_client, database_gone):
    response = api_client.get("/api/v1/genres/")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "service_unavailable"
