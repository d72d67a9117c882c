"""The one cache helper: versioned, namespaced entries that degrade to a miss when the cache fails.

A namespace ("catalog:lists", "catalog:movie:42", "user_recs:7") has a version number stored in
the cache; ``namespace_invalidate`` drops the whole namespace at once by bumping it. ``cached``
and ``versioned_get``/``versioned_set`` store each entry with the version it was computed under
and read the entry and the current version together in one round trip; ``cache_key`` builds a
key that embeds the version, for callers that manage the value themselves. ``window_incr`` is
the atomic counter of fixed time windows (throttles, the login guard), and ``local_get`` and
``local_put`` keep a short-lived copy of hot entries in the process. The cache backend is
configured to swallow connection errors (see config.settings.env.cache_config); the wrappers
here also catch anything else, so an outage means recomputing from the database, never an error.
"""

import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django_redis.cache import RedisCache

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
    """Drop every key of ``namespace`` (other processes see it on their next read, and drop
    their local copies within CACHE_LOCAL_SECONDS)."""
    global _local_size
    with _local_lock:
        _local_size -= len(_local.pop(namespace, {}))
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


def cache_set_many(values: dict[str, Any], ttl: int) -> None:
    try:
        cache.set_many(values, ttl)
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


def window_incr(key: str, ttl: int, amount: int = 1) -> int | None:
    """Add ``amount`` to the window counter ``key`` and return its new total; None when the
    cache cannot answer. The counter is created to expire ``ttl`` seconds after its first
    count; ``key`` must name a window that ends before then (see the Redis case below)."""
    try:
        backend = caches[DEFAULT_CACHE_ALIAS]
        if isinstance(backend, RedisCache):
            return _redis_window_incr(backend, key, ttl, amount)
        return _window_incr(key, ttl, amount)
    except Exception:  # noqa: BLE001 - a counter outage must not fail requests
        log_once(logger, "cache_incr_failed", "cache_unavailable")
        return None


def _redis_window_incr(backend: RedisCache, key: str, ttl: int, amount: int) -> int:
    """One round trip: ``SET key 0 EX ttl NX`` then ``INCRBY key amount``, pipelined.

    django-redis's own ``incr`` runs a Lua script and leaves creating the key to the caller,
    three round trips for a new window. The pair needs no MULTI: a window counter is only
    counted during its window, which ends before its expiry, so it cannot expire between the
    two commands and come back without one.
    """
    client = backend.client
    made = client.make_key(key)
    pipe = client.get_client(write=True).pipeline(transaction=False)
    pipe.set(made, 0, ex=ttl, nx=True)
    pipe.incrby(made, amount)
    return int(pipe.execute()[1])


def _window_incr(key: str, ttl: int, amount: int) -> int | None:
    """Any other backend: ``incr``, creating the key with ``add`` on the first count."""
    try:
        return cache.incr(key, amount)
    except ValueError:
        # add() is atomic: if another request created the key in between, add fails and
        # the incr below counts on top of it.
        if cache.add(key, amount, ttl):
            return amount
        try:
            return cache.incr(key, amount)
        except ValueError:
            return None


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


# A process-local copy of hot public entries, for the answers that may be this much older than
# the shared cache (apps.catalog.responses: anonymous catalog answers). It saves the cache round
# trip that otherwise dominates such a hit. An invalidation drops this process's copies at
# once; other processes keep theirs for at most CACHE_LOCAL_SECONDS. At most _LOCAL_MAX_ENTRIES
# copies: past that, the stale ones go, and if that is not enough, all of them (cheaper than
# LRU bookkeeping on every hit, and a burst of distinct answers is what fills it).
_local: dict[str, dict[tuple, tuple[float, Any]]] = {}
_local_lock = threading.Lock()
_local_size = 0
_LOCAL_MAX_ENTRIES = 2048


def local_get(namespace: str, parts: tuple) -> Any:
    """The process-local copy of ``parts`` in ``namespace`` while fresh, else ``MISSING``."""
    found = _local.get(namespace, {}).get(parts)
    if found is None or found[0] <= time.monotonic():
        return MISSING
    return found[1]


def local_put(namespace: str, parts: tuple, value: Any) -> None:
    """Keep ``value`` for CACHE_LOCAL_SECONDS (0 turns the local copies off)."""
    global _local, _local_size
    seconds = settings.CACHE_LOCAL_SECONDS
    if seconds <= 0:
        return
    now = time.monotonic()
    with _local_lock:
        if _local_size >= _LOCAL_MAX_ENTRIES:
            _local = {
                name: fresh
                for name, entries in _local.items()
                if (fresh := {k: entry for k, entry in entries.items() if entry[0] > now})
            }
            _local_size = sum(len(entries) for entries in _local.values())
            if _local_size >= _LOCAL_MAX_ENTRIES:
                _local, _local_size = {}, 0
        entries = _local.setdefault(namespace, {})
        _local_size += parts not in entries
        entries[parts] = (now + seconds, value)


def local_clear() -> None:
    """Forget every process-local copy (tests; a process that must not serve any)."""
    global _local_size
    with _local_lock:
        _local.clear()
        _local_size = 0
