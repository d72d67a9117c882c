"""The one conftest: shared fixtures. Each app's factories live in apps/<app>/tests/factories.py."""

import time
import warnings
from importlib import import_module

import pytest
from celery._state import _set_task_join_will_block
from django.apps import apps
from django.core.cache import cache
from django.db import connection
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from apps.accounts.authentication import recent_tokens
from apps.analytics.buffer import buffers_clear
from apps.analytics.timings import histograms
from apps.core import throttling
from apps.core.fastpath import local_copies, local_counts
from apps.core.logging import log_once_registry
from apps.core.tasks import broker_backoff_reset, coalesced_runs_forget
from apps.core.testing import other_sessions_wait
from apps.core.views import readiness_cache


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A failing test marked ``performance`` says so in its report: the answer may be right,
    its cost (round trips, queries, threads) is what regressed."""
    report = yield
    if report.failed and item.get_closest_marker("performance"):
        report.sections.append(
            ("performance", "PERFORMANCE REGRESSION: this test pins a cost, not an answer.")
        )
    return report


def pytest_collection_modifyitems(items):
    """schemathesis names the test of each API operation after it (``test_x[GET /api/v1/...]``),
    but pytest 9 builds a test's node id from its parametrization only, so every operation's
    test had the function's node id. pytest-xdist schedules by node id and ran one operation of
    each test, and a failure did not say which operation failed: the operation goes back into
    the node id as its parameter."""
    for item in items:
        original = getattr(item, "originalname", None)
        node = getattr(item, "_id", None)
        if (
            original
            and item.name.startswith(f"{original}[")
            and item.name.endswith("]")
            and node is not None
            and node.params is None
        ):
            item._id = node.with_params(item.name[len(original) + 1 : -1])


@pytest.fixture(autouse=True)
def _isolated_cache():
    """Every test starts with an empty cache (local memory or the test Redis database), no
    process-local copies of cached answers, no process-local throttle counts, no recorded
    activity waiting to be written, no remembered readiness answer, and no counters' fold or
    recommendations drain this process remembers sending to a broker (a test that sent one,
    eager mode off, left the next test in the process skipping its folds: 0 likes counted of
    12 in one CI run)."""
    cache.clear()
    buffers_clear()
    histograms.clear()
    local_copies.clear()
    local_counts.clear()
    recent_tokens.clear()
    log_once_registry.reset()
    broker_backoff_reset()
    coalesced_runs_forget()
    readiness_cache.clear()
    yield
    cache.clear()


class _WindowAlignedClock:
    """The wall clock as the throttles read it, shifted so that the test starts one second into
    a day, and so into a minute and an hour as well: time still passes, and a test shorter
    than 59 s counts its requests in one window of any rate. The windows are fixed (they start
    on the minute), and a test whose requests straddled a minute's start once counted three
    requests of a "2/min" user in two windows and saw no 429 (a flaky CI run)."""

    def __init__(self) -> None:
        now = time.time()
        self.shift = now - (now // 86400 * 86400 + 1)

    def time(self) -> float:
        return time.time() - self.shift

    def __getattr__(self, name):
        return getattr(time, name)


@pytest.fixture(autouse=True)
def _throttle_windows_aligned(monkeypatch):
    monkeypatch.setattr(throttling, "time", _WindowAlignedClock())


# Rows written by data migrations, which every database has from the start, as production does.
MIGRATION_ROWS = (("apps.notifications.migrations.0003_default_templates", "templates_create"),)
TRANSACTIONAL_FIXTURES = {"transactional_db", "live_server", "django_db_reset_sequences"}
_migration_rows_flushed = False


def _uses_database(request) -> tuple[bool, bool]:
    """Whether the test uses the database, and whether transactionally."""
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    transactional = bool(names & TRANSACTIONAL_FIXTURES) or bool(
        marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences"))
    )
    return transactional or marker is not None or "db" in names, transactional


@pytest.fixture(autouse=True)
def _migration_rows(request, django_db_blocker):
    """A transactional test empties every table when it ends, the rows of data migrations too.
    In one process pytest-django runs those tests last; make test's workers (pytest-xdist) take
    test files in any order, so the rows are written back before the next test that uses the
    database. Written inside a test's transaction they are rolled back with it: then they are
    written again for the next one."""
    global _migration_rows_flushed
    uses_database, transactional = _uses_database(request)
    if _migration_rows_flushed and uses_database:
        with django_db_blocker.unblock():
            for module, function in MIGRATION_ROWS:
                getattr(import_module(module), function)(apps, None)
            if not connection.in_atomic_block:
                _migration_rows_flushed = False
    yield
    if transactional:
        _migration_rows_flushed = True


@pytest.fixture(autouse=True)
def _celery_joins_allowed():
    """Celery keeps "inside a task" in one process-wide flag that eager tasks set and restore;
    two threads running eager tasks at once (the concurrency tests) can leave it set, and then
    a later test's ``.get()`` on an eager result refuses to run."""
    _set_task_join_will_block(False)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test databases, and before they are dropped, a wait for the sessions
    still ending on them (apps.core.testing.other_sessions_wait): dropping a database with a
    session on it fails, which pytest reported as an intermittent teardown warning in CI. A
    session that stays is named in a warning of its own."""
    yield
    with django_db_blocker.unblock():
        others = other_sessions_wait()
    if others:
        warnings.warn(f"sessions left on the test database: {others}", stacklevel=1)


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def user(db):
    from apps.accounts.tests.factories import UserFactory

    return UserFactory()


@pytest.fixture
def other_user(db):
    from apps.accounts.tests.factories import UserFactory

    return UserFactory()


def client_for(user) -> APIClient:
    """An API client that sends a real JWT access token for ``user``."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    return client


@pytest.fixture
def auth_client(user) -> APIClient:
    return client_for(user)


@pytest.fixture
def other_client(other_user) -> APIClient:
    return client_for(other_user)


@pytest.fixture
def smtp(settings):
    """A real SMTP server (aiosmtpd) that Django's SMTP backend sends to; yields the recorder,
    whose ``messages`` are the parsed emails received."""
    from apps.core.testing import smtp_server

    with smtp_server() as (recorder, port):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_TIMEOUT = 10
        yield recorder
