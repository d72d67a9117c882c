"""With REDIS_URL pointing at a closed port, requests are still served and nothing is a 500."""

import pytest
from celery import Celery
from django.core.cache import cache
from django.test import override_settings

from apps.core.cache import cached, namespace_invalidate
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
