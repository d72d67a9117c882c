"""A process's events reach the Redis buffer together: one RPUSH per window or batch, in the
order they were pushed, none lost when Redis fails for a while or the process stops."""

import time
import uuid

import pytest
from django.core.cache import caches
from django.urls import reverse
from django_redis.cache import RedisCache
from prometheus_client import REGISTRY

from apps.analytics import buffer as buffers
from apps.analytics.buffer import PendingPushes, buffer
from apps.analytics.models import UserActivityLog
from apps.analytics.recording import activity_flush
from apps.catalog.tests.factories import MovieFactory
from apps.core.signals import process_stopping_send

pytestmark = pytest.mark.skipif(
    not isinstance(caches["default"], RedisCache),
    reason="pending pushes batch the Redis buffer: run with REDIS_URL set",
)


def redis():
    return caches["default"].client.get_client(write=True)


@pytest.fixture
def pending():
    """Pushes to a list of their own, removed afterwards."""
    made = PendingPushes(f"test:pending:{uuid.uuid4().hex}")
    yield made
    redis().delete(made.key)


def listed(pending: PendingPushes) -> list[bytes]:
    return redis().lrange(pending.key, 0, -1)


def test_entries_wait_until_the_batch_is_full_then_go_in_one_rpush_in_order(
    pending, settings, monkeypatch
):
    settings.ANALYTICS_PUSH_BATCH_MS = 60_000
    settings.ANALYTICS_PUSH_BATCH_SIZE = 3
    calls = []
    client = redis()

    class Counting:
        def rpush(self, key, *values):
            calls.append(len(values))
            return client.rpush(key, *values)

    monkeypatch.setattr(buffers, "_redis", Counting)
    pending.push(b"1")
    pending.push(b"2")
    assert listed(pending) == [] and pending.size() == 2

    pending.push(b"3")

    assert listed(pending) == [b"1", b"2", b"3"]
    assert calls == [3] and pending.size() == 0


def test_with_no_later_push_the_background_thread_sends_within_the_window(pending, settings):
    settings.ANALYTICS_PUSH_BATCH_SIZE = 1000
    settings.ANALYTICS_PUSH_BATCH_MS = 50
    pending.push(b"alone")
    deadline = time.monotonic() + 5
    while not listed(pending) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert listed(pending) == [b"alone"]


def test_a_failed_send_keeps_the_entries_and_the_next_sends_them_first(
    pending, settings, monkeypatch
):
    settings.ANALYTICS_PUSH_BATCH_MS = 60_000
    settings.ANALYTICS_PUSH_BATCH_SIZE = 2
    client = redis()

    class Down:
        def rpush(self, key, *values):
            raise ConnectionError("redis down")

    monkeypatch.setattr(buffers, "_redis", Down)
    pending.push(b"1")
    with pytest.raises(ConnectionError):
        pending.push(b"2")
    assert pending.size() == 2

    monkeypatch.setattr(buffers, "_redis", lambda: client)
    pending.push(b"3")
    assert pending.send() == 3  # the retry, a window later
    assert listed(pending) == [b"1", b"2", b"3"] and pending.size() == 0


def test_while_redis_is_down_at_most_the_limit_waits_the_oldest_dropped_and_counted(
    pending, settings, monkeypatch
):
    settings.ANALYTICS_PUSH_BATCH_MS = 60_000
    settings.ANALYTICS_PUSH_BATCH_SIZE = 1000
    settings.ANALYTICS_PUSH_PENDING_MAX = 2
    client = redis()
    before = REGISTRY.get_sample_value("analytics_activity_dropped_total") or 0.0

    class Down:
        def rpush(self, key, *values):
            raise ConnectionError("redis down")

    monkeypatch.setattr(buffers, "_redis", Down)
    for entry in (b"1", b"2", b"3", b"4"):
        pending.push(entry)
    with pytest.raises(ConnectionError):
        pending.send()

    assert REGISTRY.get_sample_value("analytics_activity_dropped_total") == before + 2
    monkeypatch.setattr(buffers, "_redis", lambda: client)
    assert pending.send() == 2
    assert listed(pending) == [b"3", b"4"]


@pytest.mark.django_db
def test_a_request_does_not_wait_on_redis_and_a_stopping_process_sends_what_it_holds(
    api_client, settings
):
    settings.ANALYTICS_PUSH_BATCH_MS = 60_000
    settings.ANALYTICS_PUSH_BATCH_SIZE = 1000
    movie = MovieFactory()

    assert api_client.get(reverse("movie-detail", args=[movie.pk])).status_code == 200
    assert buffer("events").size() == 0  # pending in this process, not in Redis yet
    assert activity_flush() == 0

    process_stopping_send()  # what config.rsgi and config.celery send as a process ends

    assert buffer("events").size() == 1
    assert activity_flush() == 1
    assert list(UserActivityLog.objects.values_list("action_type", "movie_id")) == [
        ("movie_view", movie.pk)
    ]


def test_after_a_failed_send_full_batches_wait_a_window_before_the_next_try(
    pending, settings, monkeypatch
):
    settings.ANALYTICS_PUSH_BATCH_MS = 60_000
    settings.ANALYTICS_PUSH_BATCH_SIZE = 2
    tries = []

    class Down:
        def rpush(self, key, *values):
            tries.append(len(values))
            raise ConnectionError("redis down")

    monkeypatch.setattr(buffers, "_redis", Down)
    pending.push(b"1")
    with pytest.raises(ConnectionError):
        pending.push(b"2")
    for entry in (b"3", b"4", b"5"):
        pending.push(entry)  # full, but within the retry window: no request tries again

    assert tries == [2] and pending.size() == 5
    monkeypatch.setattr(buffers, "_redis", redis)
    assert pending.send() == 5
    assert listed(pending) == [b"1", b"2", b"3", b"4", b"5"]
