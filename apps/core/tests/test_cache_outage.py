"""With REDIS_URL pointing at a closed port, requests are still served and nothing is a 500."""

import logging

import pytest
from celery import Celery
from django.core.cache import cache
from django.test import override_settings

from apps.core.cache import cache_add_or_get, cached, namespace_invalidate
from apps.core.tasks import broker_backoff_reset, enqueue
from config.settings.env import cache_config

from .test_health_and_metrics import closed_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_down():
    with override_settings(CACHES=cache_config(f"redis://127.0.0.1:{closed_port()}/0")):
        yield


def test_cache_reads_are_misses_and_writes_are_no_ops(redis_down):
    cache.set("key", "value", 60)
    assert cache.get("key") is None
    calls = []
    assert cached("ns", ("a",), 60, lambda: calls.append(1) or "fresh") == "fresh"
    assert cached("ns", ("a",), 60, lambda: calls.append(1) or "fresh") == "fresh"
    assert len(calls) == 2
    namespace_invalidate("ns")
    assert cache_add_or_get("gate", 1, 30) == (True, None)  # the work runs, perhaps twice


@pytest.mark.parametrize(
    "path", ["/health/live", "/api/schema/", "/api/docs/", "/api/v1/no-such-route/", "/metrics"]
)
def test_requests_are_served_without_the_cache(api_client, redis_down, path):
    response = api_client.get(path)
    assert response.status_code < 500


@pytest.mark.urls("apps.core.tests.urls")
def test_throttled_views_still_answer_when_the_throttle_store_is_down(api_client, redis_down):
    statuses = {api_client.get("/t/throttled/").status_code for _ in range(5)}
    assert statuses == {200}


def test_a_broker_outage_does_not_fail_the_caller():
    # A Celery app of its own, so the project's app (and its connection pool) is untouched.
    app = Celery(
        "broker-outage-test",
        broker=f"redis://127.0.0.1:{closed_port()}/0",
        set_as_current=False,
    )
    app.conf.update(
        task_always_eager=False,
        broker_connection_timeout=1,
        broker_transport_options={"socket_connect_timeout": 1},
    )

    @app.task(name="tests.core.noop")
    def noop():
        return None

    publish = noop.apply_async
    attempts = []

    def counting_publish(*args, **kwargs):
        attempts.append(1)
        return publish(*args, **kwargs)

    noop.apply_async = counting_publish
    try:
        assert enqueue(noop) is False
        # The next call within the back-off does not pay the connection timeout again.
        assert enqueue(noop, countdown=5) is False
        assert len(attempts) == 1
    finally:
        broker_backoff_reset()
        app.pool.force_close_all()


def test_an_outage_is_logged_once_per_interval_without_tracebacks(
    api_client, auth_client, redis_down, caplog
):
    """Issue 11.10: django-redis logged each error it ignored at ERROR with a traceback (68 for
    179 requests). Now a whole outage is one warning line per CACHE_OUTAGE_LOG_SECONDS."""
    from apps.catalog.tests.factories import MovieFactory

    movie = MovieFactory()
    paths = ["/api/v1/movies/popular/", f"/api/v1/movies/{movie.pk}/", "/api/v1/genres/"]
    with caplog.at_level(logging.WARNING):
        for _ in range(10):
            for path in paths:
                assert api_client.get(path).status_code == 200
            assert auth_client.get("/api/v1/me/").status_code == 200
            api_client.post(
                "/api/v1/auth/login/", {"username": "nobody", "password": "x"}, format="json"
            )
    cache_lines = [r for r in caplog.records if r.name.startswith("apps.core.cache")]
    assert [r.getMessage() for r in cache_lines] == ["cache_unavailable"]
    assert cache_lines[0].levelno == logging.WARNING
    assert not [r for r in caplog.records if r.exc_info or r.exc_text], "no traceback"


def test_the_next_interval_logs_the_outage_again_with_what_was_dropped():
    from apps.core.logging import OutageOncePerInterval, log_once_registry

    outage = OutageOncePerInterval("cache_unavailable", window=60)

    def record():
        try:
            raise ConnectionError("Error 111 connecting to 127.0.0.1:1. Connection refused.")
        except ConnectionError:
            import sys

            return logging.LogRecord(
                "apps.core.cache.redis",
                logging.ERROR,
                __file__,
                1,
                "Exception ignored",
                (),
                sys.exc_info(),
            )

    passed = [r for r in (record() for _ in range(5)) if outage.filter(r)]
    log_once_registry.reset()  # the interval has passed
    passed += [r for r in [record()] if outage.filter(r)]
    assert [r.getMessage() for r in passed] == ["cache_unavailable"] * 2
    assert [r.levelno for r in passed] == [logging.WARNING] * 2
    assert [r.dropped_since_last for r in passed] == [0, 4]
    assert all(r.exc_info is None for r in passed)
    assert "Connection refused" in passed[1].error
