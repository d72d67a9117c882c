"""The PostgreSQL backend's health check without a round trip (apps/core/postgresql)."""

import select
import time

import psycopg
import pytest
from django.db import connection

from apps.core.testing import postgres_only
from config.settings.env import database_config

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def checked(monkeypatch):
    """The default connection open, idle, with health checks on and its check due (as at the
    start of a request)."""
    monkeypatch.setitem(connection.settings_dict, "CONN_HEALTH_CHECKS", True)
    connection.ensure_connection()
    connection.health_check_done = False
    return connection


def _statements_sent(monkeypatch, raw) -> list[str]:
    sent: list[str] = []
    real_execute, real_cursor = raw.execute, raw.cursor

    def execute(query, *args, **kwargs):
        sent.append(str(query))
        return real_execute(query, *args, **kwargs)

    def cursor(*args, **kwargs):
        sent.append("cursor")
        return real_cursor(*args, **kwargs)

    monkeypatch.setattr(raw, "execute", execute)
    monkeypatch.setattr(raw, "cursor", cursor)
    return sent


def test_postgresql_urls_get_the_projects_backend():
    assert database_config("postgres://app@db:5432/nexus")["ENGINE"] == "apps.core.postgresql"


def test_a_working_idle_connection_is_kept_without_sending_a_statement(checked, monkeypatch):
    raw = checked.connection
    sent = _statements_sent(monkeypatch, raw)
    checked.close_if_health_check_failed()
    assert sent == []
    assert checked.connection is raw
    assert checked.health_check_done


def test_a_connection_the_server_ended_is_replaced_before_the_requests_first_query(checked):
    raw = checked.connection
    pid = raw.info.backend_pid
    with psycopg.connect(**checked.get_connection_params(), autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
    # The server says so on the socket (a FATAL error, then the close) as it ends the backend.
    deadline = time.monotonic() + 5
    while not select.select([raw.fileno()], [], [], 0.1)[0] and time.monotonic() < deadline:
        pass
    checked.close_if_health_check_failed()
    assert checked.connection is None
    with checked.cursor() as cursor:  # the next query opens a new connection
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != pid


def test_a_connection_with_something_unread_is_replaced(checked):
    # A notification arriving between requests: nothing the project listens for, so the
    # connection is not in the state a request expects, and a fresh one is cheaper than a guess.
    raw = checked.connection
    raw.execute("LISTEN nexus_health_check_test")
    with psycopg.connect(**checked.get_connection_params(), autocommit=True) as other:
        other.execute("NOTIFY nexus_health_check_test")
    deadline = time.monotonic() + 5
    while not select.select([raw.fileno()], [], [], 0.1)[0] and time.monotonic() < deadline:
        pass
    checked.close_if_health_check_failed()
    assert checked.connection is None
