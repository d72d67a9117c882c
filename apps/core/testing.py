"""Helpers for tests across apps."""

import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.db import connection, connections

IS_POSTGRES = connection.vendor == "postgresql"

postgres_only = pytest.mark.skipif(
    not IS_POSTGRES,
    reason="needs PostgreSQL features: set DATABASE_URL to a PostgreSQL database to run it",
)

IS_REDIS = settings.CACHES["default"]["BACKEND"] == "django_redis.cache.RedisCache"

redis_only = pytest.mark.skipif(
    not IS_REDIS, reason="needs Redis: set REDIS_URL to a Redis database to run it"
)


# The shared test data (../shared, or SHARED_DIR) is not in the repository. Tests that need it
# ask for it through these functions when they run, never at import, and skip saying how to
# get it; everything else runs in a bare clone.
MOVIELENS_SMALL_URL = "https://files.grouplens.org/datasets/movielens/ml-latest-small.zip"


def shared_movielens_small() -> Path:
    """The ml-latest-small directory, or a skip that says how to get it."""
    directory = Path(settings.SHARED_DIR) / "datasets" / "ml-latest-small"
    if not (directory / "ratings.csv").is_file():
        pytest.skip(
            f"needs MovieLens ml-latest-small in {directory}: download {MOVIELENS_SMALL_URL} "
            f"and unzip it into {directory.parent} (or set SHARED_DIR to a folder with "
            "datasets/ml-latest-small)"
        )
    return directory


def shared_tmdb_fixture(name: str) -> Path:
    """A recorded TMDb v3 body, or a skip that says how to get the recordings."""
    directory = Path(settings.SHARED_DIR) / "tmdb-fixtures"
    path = directory / name
    if not path.is_file():
        pytest.skip(
            f"needs the recorded TMDb bodies in {directory} (the project's shared "
            "tmdb-fixtures folder, real TMDb v3 bodies listed in its INDEX.md; they are not "
            "redistributed here): put it at ../shared/tmdb-fixtures beside the clone, or set "
            "SHARED_DIR to the folder holding it"
        )
    return path


class _UnavailableCache:
    """A cache backend whose every call fails, as a client does when Redis is unreachable."""

    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise ConnectionError("cache unavailable")

        return fail


@contextmanager
def cache_unavailable():
    """Within the block, every use of the default cache (through django.core.cache, and so
    through apps.core.cache) raises ConnectionError."""
    original = caches[DEFAULT_CACHE_ALIAS]
    caches[DEFAULT_CACHE_ALIAS] = _UnavailableCache()
    try:
        yield
    finally:
        caches[DEFAULT_CACHE_ALIAS] = original


class _RecordingCache:
    """The real backend, with the name of every method called on it recorded (but ``close``,
    which Django calls at the end of every request and which reads or writes nothing)."""

    def __init__(self, backend, calls: list[str]) -> None:
        self._backend, self._calls = backend, calls

    def __getattr__(self, name):
        attribute = getattr(self._backend, name)
        if not callable(attribute):
            return attribute

        def recorded(*args, **kwargs):
            self._calls.append(name)
            return attribute(*args, **kwargs)

        return attribute if name == "close" else recorded


@contextmanager
def cache_calls():
    """Within the block, the names of the default cache's methods called, in order (every
    call, whatever module makes it, since all reach the backend through django.core.cache)."""
    calls: list[str] = []
    original = caches[DEFAULT_CACHE_ALIAS]
    caches[DEFAULT_CACHE_ALIAS] = _RecordingCache(original, calls)
    try:
        yield calls
    finally:
        caches[DEFAULT_CACHE_ALIAS] = original


def free_port() -> int:
    """A free TCP port on 127.0.0.1 for a server a test starts. TEST_PORT_RANGE (``28000-28999``)
    keeps it inside a range, for machines shared by several checkouts; else the system picks."""
    import os
    import socket

    bounds = os.environ.get("TEST_PORT_RANGE", "")
    candidates = [0]
    if bounds:
        low, high = (int(part) for part in bounds.split("-"))
        candidates = list(range(low, high + 1))
    for port in candidates:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise RuntimeError(f"no free port in TEST_PORT_RANGE={bounds}")


class SMTPRecorder:
    """An aiosmtpd handler that keeps every message it accepts (parsed), and refuses the
    recipients in ``refuse`` with a permanent 550."""

    def __init__(self) -> None:
        self.messages: list = []
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes, policy

        self.messages.append(message_from_bytes(envelope.original_content, policy=policy.default))
        return "250 Message accepted"


@contextmanager
def smtp_server():
    """A real SMTP server (aiosmtpd) on 127.0.0.1; yields (recorder, port)."""
    from aiosmtpd.controller import Controller

    recorder = SMTPRecorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield recorder, controller.port
    finally:
        controller.stop()


def email_parts(message) -> tuple[str, str]:
    """The text and HTML parts of a parsed multipart/alternative email."""
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    return tuple(
        part.get_content().replace("\r\n", "\n") if part is not None else ""
        for part in (text, html)
    )


def other_sessions_wait(seconds: float = 5.0) -> list[tuple]:
    """On PostgreSQL, wait up to ``seconds`` until no other session is connected to this
    process's database (the test database, before it is dropped), and return those still
    connected as ``(pid, state, backend_start, query)``; ``[]`` elsewhere.

    Every connection of this thread is closed first. A backend whose client has just closed
    its connection (or a test proxy its socket) ends a moment later, not at once, so a drop
    right after the last test can still find it: that is waited for. One that stays is a
    connection some test or thread left open, named by its last statement."""
    if connection.vendor != "postgresql":
        return []
    connections.close_all()
    deadline = time.monotonic() + seconds
    try:
        while True:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pid, state, backend_start, left(query, 300) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                    "ORDER BY pid"
                )
                others = cursor.fetchall()
            if not others or time.monotonic() >= deadline:
                return others
            time.sleep(0.1)
    finally:
        connection.close()
