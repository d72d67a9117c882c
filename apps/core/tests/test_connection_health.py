"""The PostgreSQL backend's health check without a round trip (apps/core/postgresql)."""

import contextlib
import select
import socket
import threading
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


class _LateListener:
    """A TCP port that refuses connections until ``opens_after`` seconds have passed, then
    forwards each one to the real PostgreSQL (a pooler restarting, seen from the client)."""

    def __init__(self, target: tuple[str, int], opens_after: float) -> None:
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()  # nothing listens on the port until the timer fires
        self._target, self._sockets = target, []
        self._timer = threading.Timer(opens_after, self._open)
        self._timer.start()

    def _open(self) -> None:
        server = socket.create_server(("127.0.0.1", self.port))
        self._sockets.append(server)
        threading.Thread(target=self._accept, args=(server,), daemon=True).start()

    def _accept(self, server) -> None:
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            upstream = socket.create_connection(self._target)
            self._sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source, sink) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass

    def close(self) -> None:
        # shutdown before close: a pump thread blocked in recv() keeps a merely closed socket
        # open in the kernel, and the PostgreSQL session behind it stayed connected to the
        # test database until pytest failed to drop it ("being accessed by other users").
        self._timer.cancel()
        for sock in self._sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()


def _wrapper_through(port: int, retry: float):
    """A connection of the default database's settings, through ``port``, retrying for
    ``retry`` seconds."""
    from django.db import connections

    settings_dict = {
        **connections["default"].settings_dict,
        "HOST": "127.0.0.1",
        "PORT": port,
        "CONNECT_RETRY_SECONDS": retry,
    }
    # Its own wrapper under the alias "default" (connection_created receivers look the alias up).
    return type(connections["default"])(settings_dict, alias="default")


def test_a_refused_connection_is_tried_again_until_the_server_listens():
    params = connection.get_connection_params()
    listener = _LateListener((params.get("host") or "127.0.0.1", int(params["port"])), 0.3)
    probe = _wrapper_through(listener.port, retry=2.0)
    started = time.monotonic()
    try:
        probe.ensure_connection()
        with probe.cursor() as cursor:
            cursor.execute("SELECT 1")
            assert cursor.fetchone() == (1,)
    finally:
        probe.close()
        listener.close()
    assert time.monotonic() - started >= 0.3


def test_a_refused_connection_fails_at_once_without_a_budget_and_past_it():
    from django.db import OperationalError

    params = connection.get_connection_params()
    target = (params.get("host") or "127.0.0.1", int(params["port"]))
    for retry, opens_after, at_most in ((0.0, 0.5, 0.3), (0.2, 2.0, 1.0)):
        listener = _LateListener(target, opens_after)
        probe = _wrapper_through(listener.port, retry=retry)
        started = time.monotonic()
        try:
            with pytest.raises(OperationalError, match="Connection refused"):
                probe.ensure_connection()
        finally:
            probe.close()
            listener.close()
        assert time.monotonic() - started < at_most
