"""Helpers for tests across apps."""

from contextlib import contextmanager

import pytest
from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, caches

IS_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"

postgres_only = pytest.mark.skipif(
    not IS_POSTGRES,
    reason="needs PostgreSQL features: set DATABASE_URL to a PostgreSQL database to run it",
)

IS_REDIS = settings.CACHES["default"]["BACKEND"] == "django_redis.cache.RedisCache"

redis_only = pytest.mark.skipif(
    not IS_REDIS, reason="needs Redis: set REDIS_URL to a Redis database to run it"
)


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
