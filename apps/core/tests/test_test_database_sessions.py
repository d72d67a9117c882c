"""apps.core.testing.other_sessions_wait: what the test databases' teardown waits for (the
sessions still ending on the database) and names (those that stay)."""

import psycopg
import pytest
from django.db import connection

from apps.core.testing import other_sessions_wait, postgres_only

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True)]


def _another_session() -> psycopg.Connection:
    params = connection.get_connection_params()
    return psycopg.connect(
        dbname=connection.settings_dict["NAME"],
        host=params.get("host") or "127.0.0.1",
        port=params.get("port") or 5432,
        user=params.get("user"),
        autocommit=True,
    )


def test_a_session_left_open_is_named():
    other = _another_session()
    try:
        pid = other.info.backend_pid
        other.execute("SELECT 'left open by a test'")
        left = other_sessions_wait(seconds=0.3)
    finally:
        other.close()
    assert [row[0] for row in left] == [pid], left
    assert "left open by a test" in left[0][3]


def test_a_session_that_was_just_closed_is_waited_for():
    _another_session().close()
    assert other_sessions_wait(seconds=5) == []


def test_this_threads_own_connection_does_not_count():
    connection.ensure_connection()
    assert other_sessions_wait(seconds=0.3) == []
