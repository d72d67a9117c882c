"""The one door to the cache: every read, write and counter goes through here.

Two kinds of entries, one versioning scheme:

- Plain keys (``cache_get``, ``cache_get_many``, ``cache_set``, ``cache_add``,
  ``cache_delete_many``, ``cache_incr``) for values that stand alone: token revocations,
  cooldowns, counters, the TMDb breaker's state.
- Namespaced entries (``versioned_get``, ``versioned_set``, ``cached``) for values computed from
  data that writes change. A namespace ("catalog:lists", "catalog:movie:42", "user_recs:7") has a
  version number stored in the cache; each entry is stored with the version it was computed under
  and counts only while that version is current, and the entry and the version are read together
  in one round trip. ``namespace_invalidate`` drops a whole namespace at once by bumping its
  version, and tells this process's listeners (``namespace_listen``: the anonymous fast path's
  local copies, apps.core.fastpath), so no copy outlives an invalidation made here. A write
  drops what it changed with ``namespace_invalidate_on_commit``: at its commit (an entry
  recomputed before then from the old rows is born stale), every namespace it noted in one
  round trip.

``cache_incr`` is the one atomic counter (throttle windows, the login guard, the breaker's
failures, namespace versions). ``cache_probe`` is the health check's write-and-read-back.

The cache backend is configured to swallow connection errors (config.settings.env.cache_config);
the functions here also catch anything else and log the outage once, so an outage means
recomputing from the database or letting a counted action through, never an error.
"""

import logging
import uuid
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.db import DEFAULT_DB_ALIAS, transaction
from django_redis.cache import RedisCache

from apps.core.logging import log_once

logger = logging.getLogger(__name__)
T = TypeVar("T")
MISSING = object()

_listeners: list[Callable[[str], None]] = []
# Asked for plain keys to set with a commit's invalidations (``commit_keys_provide``).
_commit_key_providers: list[Callable[[], dict[str, tuple[Any, float]]]] = []


def _version_key(namespace: str) -> str:
    return f"nsv:{namespace}"


def _entry_key(namespace: str, parts: tuple) -> str:
    return f"{namespace}:e:{':'.join(str(part) for part in parts)}"


def _outage(operation: str) -> None:
    # One key for every part of a cache outage, django-redis's own ignored errors included
    # (LOGGING's cache_outage filter): one line per CACHE_OUTAGE_LOG_SECONDS.
    log_once(
        logger,
        "cache_unavailable",
        "cache_unavailable",
        window=settings.CACHE_OUTAGE_LOG_SECONDS,
        operation=operation,
    )


# Plain keys ------------------------------------------------------------------------------------


def cache_get(key: str, default: Any = None) -> Any:
    try:
        return cache.get(key, default)
    except Exception:  # noqa: BLE001 - the cache must never fail a request
        _outage("cache_get_failed")
        return default


def cache_get_many(keys: Iterable[str]) -> dict[str, Any]:
    """The values of those ``keys`` that are present, in one round trip ({} on an outage)."""
    try:
        return cache.get_many(list(keys))
    except Exception:  # noqa: BLE001
        _outage("cache_get_failed")
        return {}


def cache_set(key: str, value: Any, ttl: int | None) -> None:
    """Store ``value`` for ``ttl`` seconds (None: until evicted)."""
    try:
        cache.set(key, value, ttl)
    except Exception:  # noqa: BLE001
        _outage("cache_set_failed")


def cache_set_many(values: dict[str, Any], ttl: int) -> None:
    try:
        if len(values) == 1:
            # One key is one SET: django-redis's set_many wraps even one in MULTI and EXEC, a
            # pipeline that costs the client half again as much CPU (the write requests'
            # read-your-writes mark, apps.core.replicas).
            [(key, value)] = values.items()
            cache.set(key, value, ttl)
        else:
            cache.set_many(values, ttl)
    except Exception:  # noqa: BLE001
        _outage("cache_set_failed")


def _plain_set(plain: dict[str, tuple[Any, float]]) -> None:
    """Set each key of ``{key: (value, ttl seconds)}``: one round trip a distinct ttl."""
    by_ttl: dict[float, dict[str, Any]] = {}
    for key, (value, seconds) in plain.items():
        by_ttl.setdefault(seconds, {})[key] = value
    for seconds, values in by_ttl.items():
        cache_set_many(values, seconds)


def cache_add(key: str, value: Any, ttl: int | None) -> bool:
    """Set ``key`` only if absent; True if this call set it.

    For debounces, cooldowns and best-effort locks: when the cache is unavailable this answers
    True, so an outage lets the work run (perhaps twice) rather than silently skipping it.
    """
    try:
        added = cache.add(key, value, ttl)
    except Exception:  # noqa: BLE001
        _outage("cache_set_failed")
        return True
    # django-redis answers None instead of raising when it swallows a connection error.
    return added is not False


def cache_add_or_get(key: str, value: Any, ttl: float | None) -> tuple[bool, Any]:
    """``cache_add``, telling what stood in the way: ``(True, None)`` when this call set
    ``key``, ``(False, value found)`` when it was set already (``(False, None)`` if it expired
    in between). One round trip on Redis (``SET NX GET``, Redis 7 or later); ``add`` then
    ``get`` on other backends. The cache unavailable answers ``(True, None)``, as ``cache_add``
    answers True."""
    try:
        backend = caches[DEFAULT_CACHE_ALIAS]
        if isinstance(backend, RedisCache):
            return _redis_add_or_get(backend, key, value, ttl)
        if cache.add(key, value, ttl):
            return True, None
        return False, cache.get(key)
    except Exception:  # noqa: BLE001
        _outage("cache_set_failed")
        return True, None


def _redis_add_or_get(backend: RedisCache, key: str, value: Any, ttl: float | None):
    client = backend.client
    found = client.get_client(write=True).set(
        client.make_key(key),
        client.encode(value),
        nx=True,
        get=True,
        px=None if ttl is None else max(1, int(ttl * 1000)),
    )
    return (True, None) if found is None else (False, client.decode(found))


def cache_delete_many(keys: Iterable[str]) -> None:
    try:
        cache.delete_many(list(keys))
    except Exception:  # noqa: BLE001
        _outage("cache_delete_failed")


def cache_incr(
    key: str, amount: int = 1, *, ttl: int | None = None, initial: int = 0
) -> int | None:
    """Add ``amount`` to the counter ``key`` atomically and return its new total; None when the
    cache cannot answer (callers let the counted action through).

    A missing counter starts at ``initial`` and expires ``ttl`` seconds after it was created
    (None: never). With a ttl the key must not be counted after it expires (a window counter's
    key names a window that ends first): creating and adding are two commands, and a key that
    expired between them would come back without an expiry.
    """
    try:
        backend = caches[DEFAULT_CACHE_ALIAS]
        if isinstance(backend, RedisCache):
            return _redis_incr(backend, key, amount, ttl, initial)
        return _incr(key, amount, ttl, initial)
    except Exception:  # noqa: BLE001 - a counter outage must not fail requests
        _outage("cache_incr_failed")
        return None


def _redis_incr(backend: RedisCache, key: str, amount: int, ttl: int | None, initial: int) -> int:
    """One round trip: ``SET key initial [EX ttl] NX`` then ``INCRBY key amount``, pipelined.

    django-redis's own ``incr`` runs a Lua script and leaves creating the key to the caller,
    three round trips for a new counter. django-redis stores integers as plain numbers, so its
    ``get`` reads these counters back.
    """
    return _redis_incr_many(backend, [key], amount, ttl, initial)[0]


def _redis_incr_many(
    backend: RedisCache,
    keys: list[str],
    amount: int,
    ttl: int | None,
    initial: int,
    *,
    plain: dict[str, tuple[Any, float]] | None = None,
) -> list[int]:
    """``_redis_incr`` of several counters in one round trip; their new totals, in order.
    ``plain``: keys to set in the same round trip, ``{key: (value, ttl seconds)}``, stored as
    django-redis's ``set`` stores them."""
    client = backend.client
    pipe = client.get_client(write=True).pipeline(transaction=False)
    for key in keys:
        made = client.make_key(key)
        pipe.set(made, initial, ex=ttl, nx=True)
        pipe.incrby(made, amount)
    for key, (value, seconds) in (plain or {}).items():
        pipe.set(client.make_key(key), client.encode(value), px=max(int(seconds * 1000), 1))
    return [int(total) for total in pipe.execute()[1 : 2 * len(keys) : 2]]


def _incr(key: str, amount: int, ttl: int | None, initial: int) -> int | None:
    """Any other backend: ``incr``, creating the key with ``add`` on the first count."""
    try:
        return cache.incr(key, amount)
    except ValueError:
        # add() is atomic: if another caller created the key in between, add fails and the
        # incr below counts on top of it.
        if cache.add(key, initial + amount, ttl):
            return initial + amount
        try:
            return cache.incr(key, amount)
        except ValueError:
            return None


def cache_probe() -> bool:
    """Whether the cache stores a value and reads it back now (the readiness probe)."""
    key = f"health:{uuid.uuid4().hex}"
    try:
        cache.set(key, "1", 5)
        value = cache.get(key)
        cache.delete(key)
    except Exception as exc:  # noqa: BLE001
        logger.warning("health_cache_failed", extra={"error": str(exc)})
        return False
    # django-redis swallows connection errors: a lost write reads back as a miss.
    return value == "1"


# Namespaced entries ----------------------------------------------------------------------------


def namespace_version(namespace: str) -> int:
    """The current version of ``namespace`` (1 until it is first invalidated)."""
    version = cache_get(_version_key(namespace))
    return version if isinstance(version, int) and version > 0 else 1


def namespace_invalidate(namespace: str) -> None:
    """Drop every entry of ``namespace``: here at once, in other processes on their next read
    (their local copies within CACHE_LOCAL_MS, see apps.core.fastpath)."""
    namespace_invalidate_many([namespace])


def namespace_invalidate_many(
    namespaces: Iterable[str], *, plain: dict[str, tuple[Any, float]] | None = None
) -> None:
    """``namespace_invalidate`` of each namespace, the version bumps in one round trip, with
    the plain keys of ``plain`` (``{key: (value, ttl seconds)}``) set in the same one."""
    names = list(dict.fromkeys(namespaces))
    if not names:
        if plain:
            _plain_set(plain)
        return
    # A namespace never invalidated is at version 1: the first invalidation makes it 2.
    keys = [_version_key(namespace) for namespace in names]
    try:
        backend = caches[DEFAULT_CACHE_ALIAS]
        if isinstance(backend, RedisCache):
            _redis_incr_many(backend, keys, 1, None, 1, plain=plain)
        else:
            for key in keys:
                _incr(key, 1, None, 1)
            if plain:
                _plain_set(plain)
    except Exception:  # noqa: BLE001 - an outage must not fail the write that invalidates
        _outage("cache_incr_failed")
    for namespace in names:
        for listener in _listeners:
            listener(namespace)


def namespace_invalidate_on_commit(namespace: str, using: str | None = None) -> None:
    """``namespace_invalidate`` once the current transaction on ``using`` commits (at once
    outside a transaction), together with every other namespace the transaction noted: a
    write that drops several namespaces pays one round trip at its commit, not one each.

    The namespaces noted in a transaction are held by its commit callbacks (each call
    registers its own, robust, holding the transaction's one set), so they live and die with
    the transaction: a rolled-back transaction's set goes with its callbacks, and the first of
    a committed transaction's callbacks to run drops the whole set (the others find it
    empty). A namespace noted inside a savepoint that rolled back while the transaction's set
    was already held by an earlier callback is dropped with the rest, needlessly, which costs
    a cache miss, never a stale answer."""
    alias = using or DEFAULT_DB_ALIAS
    connection = transaction.get_connection(alias)
    held = _held_namespaces(connection) if connection.in_atomic_block else None
    if held is None:
        held = set()
    held.add(namespace)
    transaction.on_commit(partial(_invalidate_held, held), using=alias, robust=True)


def _held_namespaces(connection) -> set | None:
    """The set of namespaces the current transaction's commit callbacks hold, if any."""
    for entry in reversed(connection.run_on_commit):
        callback = entry[1] if isinstance(entry, tuple) and len(entry) > 1 else None
        if getattr(callback, "func", None) is _invalidate_held:
            return callback.args[0]
    return None


def _invalidate_held(held: set) -> None:
    if held:
        names = sorted(held)
        held.clear()
        plain: dict[str, tuple[Any, float]] = {}
        for provider in _commit_key_providers:
            try:
                plain.update(provider())
            except Exception:  # the invalidations go, whatever a provider does
                logger.exception("commit_keys_provider_failed")
        namespace_invalidate_many(names, plain=plain)


def commit_keys_provide(provider: Callable[[], dict[str, tuple[Any, float]]]) -> None:
    """Have ``provider`` asked, each time a commit sends the invalidations its transaction
    noted, for plain keys to set in the same round trip (``{key: (value, ttl seconds)}``; it
    answers ``{}`` when it has none). apps.core.routers sends the read-your-writes marks of
    the request's users this way, a round trip a write request no longer makes of its own.
    A key set so is lost with the invalidations if the cache cannot be written then."""
    if provider not in _commit_key_providers:
        _commit_key_providers.append(provider)


def namespace_listen(listener: Callable[[str], None]) -> Callable[[], None]:
    """Call ``listener(namespace)`` in this process whenever a namespace is invalidated here;
    returns the function that stops it."""
    if listener not in _listeners:
        _listeners.append(listener)
    return lambda: _listeners.remove(listener) if listener in _listeners else None


def versioned_get(
    namespace: str, parts: tuple, *, depends_on: tuple[str, ...] = ()
) -> tuple[Any, Any]:
    """``(value, version)`` for ``parts`` in ``namespace`` in one cache round trip.

    The entry is stored under a key without the version, together with the namespace version
    it was computed under; it counts only while that version is still the current one. So a
    hit costs one ``get_many`` (version and entry at once) instead of two dependent reads.
    The value is ``MISSING`` on a miss; pass the returned version to ``versioned_set``.

    ``depends_on`` names other namespaces the value was computed from (a model version, the
    running experiments): their versions are read in the same round trip, and the entry
    counts only while they are unchanged too (the version is then a tuple of all of them).
    """
    read = versioned_get_many([(namespace, parts, depends_on)])
    return (MISSING, 0) if read is None else read[1][0]


def versioned_get_many(
    entries: Iterable[tuple[str, tuple, tuple[str, ...]]], plain: Iterable[str] = ()
) -> tuple[dict[str, Any], list[tuple[Any, Any]]] | None:
    """Several ``versioned_get`` (each ``(namespace, parts, depends_on)``) and plain keys in
    one round trip: the values of the plain keys that are present, and ``(value, version)``
    per entry, in order. None when the cache cannot answer (the outage is logged); the callers
    of the fast paths (apps.core.fastpath) then take the ordinary path."""
    entries, plain = list(entries), list(plain)
    keys = list(plain)
    for namespace, parts, depends_on in entries:
        keys.extend(_version_key(name) for name in (namespace, *depends_on))
        keys.append(_entry_key(namespace, parts))
    try:
        found = cache.get_many(keys)
    except Exception:  # noqa: BLE001 - the cache must never fail a request
        _outage("cache_get_failed")
        return None
    results = []
    for namespace, parts, depends_on in entries:
        versions = tuple(
            raw if isinstance(raw := found.get(_version_key(name)), int) and raw > 0 else 1
            for name in (namespace, *depends_on)
        )
        version = versions if depends_on else versions[0]
        entry = found.get(_entry_key(namespace, parts))
        if isinstance(entry, tuple) and len(entry) == 2 and entry[0] == version:
            results.append((entry[1], version))
        else:
            results.append((MISSING, version))
    return {key: found[key] for key in plain if key in found}, results


def versioned_set(namespace: str, parts: tuple, value: Any, ttl: int, version: Any) -> None:
    """Store ``value`` as computed under ``version`` (read by ``versioned_get`` before the
    computation: if the namespace was invalidated meanwhile, the entry is born stale)."""
    cache_set(_entry_key(namespace, parts), (version, value), ttl)


def versioned_set_many(entries: Iterable[tuple[str, tuple, Any, Any]], ttl: int) -> None:
    """``versioned_set`` of each ``(namespace, parts, value, version)``, in one round trip."""
    values = {
        _entry_key(namespace, parts): (version, value)
        for namespace, parts, value, version in entries
    }
    if values:
        cache_set_many(values, ttl)


def cached(
    namespace: str,
    parts: tuple,
    ttl: int,
    produce: Callable[[], T],
    *,
    depends_on: tuple[str, ...] = (),
) -> T:
    """The value for ``parts`` in ``namespace``, computed by ``produce`` on a miss (see
    ``versioned_get`` for ``depends_on``)."""
    value, version = versioned_get(namespace, parts, depends_on=depends_on)
    if value is MISSING:
        value = produce()
        versioned_set(namespace, parts, value, ttl, version)
    return value
