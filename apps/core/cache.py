"""The one cache helper: versioned, namespaced entries that degrade to a miss when the cache fails.

A namespace ("catalog:lists", "catalog:movie:42", "user_recs:7") has a version number stored in
the cache; ``namespace_invalidate`` drops the whole namespace at once by bumping it. ``cached``
and ``versioned_get``/``versioned_set`` store each entry with the version it was computed under
and read the entry and the current version together in one round trip; ``cache_key`` builds a
key that embeds the version, for callers that manage the value themselves. The cache backend is
configured to swallow connection errors (see config.settings.env.cache_config); the wrappers
here also catch anything else, so an outage means recomputing from the database, never an error.
"""

import logging
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.core.cache import cache

from apps.core.logging import log_once

logger = logging.getLogger(__name__)
T = TypeVar("T")
MISSING = object()


def _version_key(namespace: str) -> str:
    return f"nsv:{namespace}"


def namespace_version(namespace: str) -> int:
    try:
        version = cache.get(_version_key(namespace))
    except Exception:  # noqa: BLE001 - the cache must never fail a request
        log_once(logger, "cache_get_failed", "cache_unavailable")
        return 0
    return int(version) if version else 1


def cache_key(namespace: str, *parts: Any) -> str:
    suffix = ":".join(str(part) for part in parts)
    return f"{namespace}:v{namespace_version(namespace)}:{suffix}"


def namespace_invalidate(namespace: str) -> None:
    """Drop every key of ``namespace`` (other processes see it on their next read)."""
    key = _version_key(namespace)
    try:
        cache.add(key, 1, timeout=None)
        cache.incr(key)
    except ValueError:
        # Evicted between add and incr: start again above any version a reader may hold.
        cache.set(key, 2, timeout=None)
    except Exception:  # noqa: BLE001
        log_once(logger, "cache_invalidate_failed", "cache_unavailable")


def cache_get(key: str, default: Any = None) -> Any:
    try:
        return cache.get(key, default)
    except Exception:  # noqa: BLE001
        log_once(logger, "cache_get_failed", "cache_unavailable")
        return default


def cache_set(key: str, value: Any, ttl: int) -> None:
    try:
        cache.set(key, value, ttl)
    except Exception:  # noqa: BLE001
        log_once(logger, "cache_set_failed", "cache_unavailable")


def cache_add(key: str, value: Any, ttl: int) -> bool:
    """Set ``key`` only if absent; True if this call set it.

    For debounces and best-effort locks: when the cache is unavailable this answers True, so
    an outage lets the work run (perhaps twice) rather than silently skipping it.
    """
    try:
        added = cache.add(key, value, ttl)
    except Exception:  # noqa: BLE001
        log_once(logger, "cache_set_failed", "cache_unavailable")
        return True
    # django-redis answers None instead of raising when it swallows a connection error.
    return added is not False


def cache_delete_many(keys: Iterable[str]) -> None:
    try:
        cache.delete_many(list(keys))
    except Exception:  # noqa: BLE001
        log_once(logger, "cache_delete_failed", "cache_unavailable")


def _entry_key(namespace: str, parts: tuple) -> str:
    return f"{namespace}:e:{':'.join(str(part) for part in parts)}"


def versioned_get(namespace: str, parts: tuple) -> tuple[Any, int]:
    """``(value, version)`` for ``parts`` in ``namespace`` in one cache round trip.

    The entry is stored under a key without the version, together with the namespace version
    it was computed under; it counts only while that version is still the current one. So a
    hit costs one ``get_many`` (version and entry at once) instead of two dependent reads.
    The value is ``MISSING`` on a miss; pass the returned version to ``versioned_set``.
    """
    version_key, entry_key = _version_key(namespace), _entry_key(namespace, parts)
    try:
        found = cache.get_many([version_key, entry_key])
    except Exception:  # noqa: BLE001 - the cache must never fail a request
        log_once(logger, "cache_get_failed", "cache_unavailable")
        return MISSING, 0
    raw_version = found.get(version_key)
    version = raw_version if isinstance(raw_version, int) and raw_version > 0 else 1
    entry = found.get(entry_key)
    if isinstance(entry, tuple) and len(entry) == 2 and entry[0] == version:
        return entry[1], version
    return MISSING, version


def versioned_set(namespace: str, parts: tuple, value: Any, ttl: int, version: int) -> None:
    """Store ``value`` as computed under ``version`` (read by ``versioned_get`` before the
    computation: if the namespace was invalidated meanwhile, the entry is born stale)."""
    cache_set(_entry_key(namespace, parts), (version, value), ttl)


def cached(namespace: str, parts: tuple, ttl: int, produce: Callable[[], T]) -> T:
    """The value for ``parts`` in ``namespace``, computed by ``produce`` on a miss."""
    value, version = versioned_get(namespace, parts)
    if value is MISSING:
        value = produce()
        versioned_set(namespace, parts, value, ttl, version)
    return value
