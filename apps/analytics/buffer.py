"""Where recorded events wait to be written: a Redis list, or this process's memory.

With Redis as the cache (REDIS_URL), the ``analytics.activity_flush`` task (beat, every
ANALYTICS_FLUSH_SECONDS) takes the entries from a Redis list in batches and writes each batch
with one INSERT: the request never waits on the analytics database. A request does not wait on
Redis either: its entry joins this process's pending ones (``PendingPushes``), which are
appended together, one RPUSH for all, when the oldest has waited ANALYTICS_PUSH_BATCH_MS or
ANALYTICS_PUSH_BATCH_SIZE are pending (by the request that finds it so, else by a background
thread), and when the process stops (``pending_send``). An entry waits at most that long before
the flush task can see it; a process killed outright loses at most that window of entries.
While Redis is down they stay pending, at most ANALYTICS_PUSH_PENDING_MAX, the oldest dropped
beyond (counted). ANALYTICS_PUSH_BATCH_MS=0 appends each entry at once, as the tests do.
Without Redis (development, the fast test run) the entries wait in this process's memory and
are written by whichever request finds ANALYTICS_FLUSH_SECONDS passed or ANALYTICS_BATCH_SIZE
entries waiting (there is no beat without a broker).

Entries are bytes; ``take(n)`` removes and returns up to ``n`` of the oldest at once (atomic:
two flushers never take the same entry), ``give_back`` puts entries back at the front after a
failed write, and ``trim(limit)`` drops the oldest beyond ``limit`` so an analytics outage
cannot grow the buffer without bound.
"""

import logging
import os
import threading
import time
from collections import deque

from django.conf import settings
from django.core.cache import caches
from django_redis.cache import RedisCache
from prometheus_client import Counter

from apps.core.logging import log_once

logger = logging.getLogger(__name__)

DROPPED = Counter(
    "analytics_activity_dropped",
    "Activity events lost: unreadable entries, or the oldest beyond ANALYTICS_BUFFER_MAX "
    "(or ANALYTICS_PUSH_PENDING_MAX in a process while Redis is down)",
)


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


def _redis():
    return caches["default"].client.get_client(write=True)


class PendingPushes:
    """This process's entries for one Redis list that are not appended yet (see the module
    doc). Safe across threads; entries reach the list in the order they were pushed."""

    def __init__(self, key: str) -> None:
        self.key = key
        self._entries: list[bytes] = []
        self._oldest = 0.0  # when the oldest pending entry was pushed (monotonic)
        self._retry_at = 0.0  # after a failed send, no full batch is sent before this
        self._lock = threading.Condition(threading.Lock())
        self._sending = threading.Lock()  # one send at a time keeps the order
        self._pid: int | None = None  # the process the entries and the thread belong to

    def push(self, entry: bytes) -> None:
        """Add ``entry``; send everything pending if that is due. Raises what the send raised
        (the entries stay pending)."""
        now = time.monotonic()
        with self._lock:
            self._own_process()
            if not self._entries:
                self._oldest = now
                self._lock.notify()
            self._entries.append(entry)
            full = len(self._entries) >= settings.ANALYTICS_PUSH_BATCH_SIZE
            due = (full and now >= self._retry_at) or (
                now - self._oldest >= settings.ANALYTICS_PUSH_BATCH_MS / 1000
            )
        if due:
            self.send()

    def send(self) -> int:
        """Append every pending entry in one RPUSH; how many. On failure they are pending
        again, in front of any pushed meanwhile, the oldest beyond ANALYTICS_PUSH_PENDING_MAX
        dropped, and the error raised."""
        with self._sending:
            with self._lock:
                if self._pid != os.getpid():
                    return 0  # nothing pushed in this process
                taken, self._entries = self._entries, []
            if not taken:
                return 0
            try:
                _redis().rpush(self.key, *taken)
            except Exception:
                self._put_back(taken)
                raise
            return len(taken)

    def _put_back(self, taken: list[bytes]) -> None:
        with self._lock:
            entries = taken + self._entries
            dropped = max(0, len(entries) - settings.ANALYTICS_PUSH_PENDING_MAX)
            self._entries = entries[dropped:]
            # Retried after a window, not by every request while Redis is down.
            self._oldest = time.monotonic()
            self._retry_at = self._oldest + settings.ANALYTICS_PUSH_BATCH_MS / 1000
        if dropped:
            DROPPED.inc(dropped)
            log_once(logger, "activity_dropped", "activity_dropped", count=dropped)

    def size(self) -> int:
        with self._lock:
            return len(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries = []

    def _own_process(self) -> None:
        """Under the lock: a forked child starts with nothing pending (its parent sends what
        it inherited) and its own sending thread."""
        pid = os.getpid()
        if self._pid == pid:
            return
        self._pid = pid
        self._entries = []
        threading.Thread(target=self._send_when_due, name=f"push:{self.key}", daemon=True).start()

    def _send_when_due(self) -> None:
        """The background sender: entries that no later request finds due are sent once the
        oldest has waited the window."""
        while True:
            with self._lock:
                while not self._entries:
                    self._lock.wait()
                wait = self._oldest + settings.ANALYTICS_PUSH_BATCH_MS / 1000 - time.monotonic()
            if wait > 0:
                time.sleep(wait)
                continue
            try:
                self.send()
            except Exception as exc:  # noqa: BLE001 - kept pending; retried after a window
                log_once(logger, "activity_buffer_failed", "activity_buffer_failed", error=str(exc))


_pending = {"events": PendingPushes("analytics:buffer:events")}


def pending_send(**kwargs) -> None:
    """Send what this process holds for Redis (as it stops: apps.core.signals.process_stopping);
    failures are logged, not raised."""
    if not isinstance(caches["default"], RedisCache):
        return
    for pending in _pending.values():
        try:
            pending.send()
        except Exception as exc:  # noqa: BLE001 - a stopping process has no one to tell
            log_once(logger, "activity_buffer_failed", "activity_buffer_failed", error=str(exc))


class RedisBuffer:
    def __init__(self, key: str, pending: PendingPushes | None = None) -> None:
        self.key = key
        self.pending = pending

    @staticmethod
    def _client():
        return _redis()

    def push(self, entry: bytes) -> None:
        if self.pending is None or settings.ANALYTICS_PUSH_BATCH_MS <= 0:
            self._client().rpush(self.key, entry)
        else:
            self.pending.push(entry)

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
        pending = _pending.get(name)
        return RedisBuffer(pending.key if pending else f"analytics:buffer:{name}", pending)
    return _memory[name]


def buffers_clear() -> None:
    """Empty every buffer of this deployment (tests start with none waiting)."""
    for name in _memory:
        _memory[name].clear()
        buffer(name).clear()
    for pending in _pending.values():
        pending.clear()
