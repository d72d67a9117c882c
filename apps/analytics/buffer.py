"""Where recorded events wait to be written: a Redis list, or this process's memory.

With Redis as the cache (REDIS_URL), a request appends one entry (one RPUSH) and the
``analytics.activity_flush`` task (beat, every ANALYTICS_FLUSH_SECONDS) takes them in batches
and writes each batch with one INSERT: the request never waits on the analytics database.
Without Redis (development, the fast test run) the entries wait in this process's memory and
are written by whichever request finds ANALYTICS_FLUSH_SECONDS passed or ANALYTICS_BATCH_SIZE
entries waiting (there is no beat without a broker).

Entries are bytes; ``take(n)`` removes and returns up to ``n`` of the oldest at once (atomic:
two flushers never take the same entry), ``give_back`` puts entries back at the front after a
failed write, and ``trim(limit)`` drops the oldest beyond ``limit`` so an analytics outage
cannot grow the buffer without bound.
"""

import threading
import time
from collections import deque

from django.core.cache import caches
from django_redis.cache import RedisCache


class MemoryBuffer:
    def __init__(self) -> None:
        self._entries: deque[bytes] = deque()
        self._lock = threading.Lock()
        self.last_taken = time.monotonic()

    def push(self, entry: bytes) -> None:
        self._entries.append(entry)

    def take(self, count: int) -> list[bytes]:
        with self._lock:
            self.last_taken = time.monotonic()
            return [self._entries.popleft() for _ in range(min(count, len(self._entries)))]

    def give_back(self, entries: list[bytes]) -> None:
        with self._lock:
            self._entries.extendleft(reversed(entries))

    def trim(self, limit: int) -> int:
        with self._lock:
            dropped = max(0, len(self._entries) - limit)
            for _ in range(dropped):
                self._entries.popleft()
            return dropped

    def size(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


class RedisBuffer:
    def __init__(self, key: str) -> None:
        self.key = key

    @staticmethod
    def _client():
        return caches["default"].client.get_client(write=True)

    def push(self, entry: bytes) -> None:
        self._client().rpush(self.key, entry)

    def take(self, count: int) -> list[bytes]:
        pipe = self._client().pipeline(transaction=True)
        pipe.lrange(self.key, 0, count - 1)
        pipe.ltrim(self.key, count, -1)
        entries, _ = pipe.execute()
        return list(entries)

    def give_back(self, entries: list[bytes]) -> None:
        if entries:
            self._client().lpush(self.key, *reversed(entries))

    def trim(self, limit: int) -> int:
        pipe = self._client().pipeline(transaction=True)
        pipe.llen(self.key)
        pipe.ltrim(self.key, -limit, -1)
        length, _ = pipe.execute()
        return max(0, length - limit)

    def size(self) -> int:
        return self._client().llen(self.key)

    def clear(self) -> None:
        self._client().delete(self.key)


_memory = {"events": MemoryBuffer(), "timings": MemoryBuffer()}


def buffer(name: str) -> MemoryBuffer | RedisBuffer:
    """The buffer ``name`` ("events" or "timings") of this deployment."""
    if isinstance(caches["default"], RedisCache):
        return RedisBuffer(f"analytics:buffer:{name}")
    return _memory[name]


def buffers_clear() -> None:
    """Empty every buffer of this deployment (tests start with none waiting)."""
    for name in _memory:
        _memory[name].clear()
        buffer(name).clear()
