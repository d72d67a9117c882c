"""Throttle scopes backed by the cache: ``anon``, ``user`` and the strict ``auth``.

DRF's SimpleRateThrottle keeps a list of timestamps per client and rewrites it on every request
(two cache round trips, and two concurrent requests can both pass the last slot). These
throttles count requests in fixed windows with an atomic increment instead (apps.core.cache
``window_incr``): one round trip, and no lost updates. A cached answer can count its request in
the round trip that reads the answer (``window_counter`` and ``allow_count``). Each request is
counted by one scope only (anonymous clients by ``anon``, users by ``user``), plus ``auth`` on
authentication routes.

Rates are read when a request is checked, not when the class is imported, so settings changes
(and tests) take effect. Client identity honours NUM_PROXIES through DRF's get_ident. With the
cache down a throttle lets requests through (the outage is logged once by the cache layer).
"""

import threading
import time
from dataclasses import dataclass

from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle

from apps.core.cache import window_incr


class WindowRateThrottle(BaseThrottle):
    scope = ""

    def __init__(self) -> None:
        self.rate = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)
        self.num_requests, self.duration = SimpleRateThrottle.parse_rate(None, self.rate)
        self._wait = 0.0

    def get_cache_key(self, request, view) -> str | None:
        raise NotImplementedError

    def window_counter(self, request, view) -> tuple[str, int] | None:
        """The ``(key, ttl)`` of the counter this request counts against, or None when this
        scope does not count it. Sets the wait reported if the count turns out too high."""
        if self.rate is None:
            return None
        key = self.get_cache_key(request, view)
        if key is None:
            return None
        now = time.time()
        window = int(now // self.duration)
        self._wait = (window + 1) * self.duration - now
        return f"throttle:{self.scope}:{key}:{window}", self.duration + 1

    def allow_count(self, count: int | None) -> bool:
        """Whether a window that has reached ``count`` still admits the request (None: the
        store could not count, and an outage lets requests through)."""
        return count is None or count <= self.num_requests

    def allow_request(self, request, view) -> bool:
        counter = self.window_counter(request, view)
        return counter is None or self.allow_count(window_incr(*counter))

    def allow_cached(self, request, view) -> bool:
        """``allow_request`` for an answer served from a process-local copy: counted through
        ``local_counts`` (see LocalWindowCounts), so it rarely waits for the shared store."""
        counter = self.window_counter(request, view)
        return counter is None or self.allow_count(local_counts.count(*counter))

    def wait(self) -> float:
        return self._wait


class AnonRateThrottle(WindowRateThrottle):
    """Anonymous clients, per client address."""

    scope = "anon"

    def get_cache_key(self, request, view) -> str | None:
        if request.user and request.user.is_authenticated:
            return None
        return self.get_ident(request) or "unknown"


class UserRateThrottle(WindowRateThrottle):
    """Authenticated users, per user (anonymous clients are the anon scope's)."""

    scope = "user"

    def get_cache_key(self, request, view) -> str | None:
        if not (request.user and request.user.is_authenticated):
            return None
        return str(request.user.pk)


class AuthRateThrottle(WindowRateThrottle):
    """Strict per-client limit for authentication endpoints (login, register, reset)."""

    scope = "auth"

    def get_cache_key(self, request, view) -> str | None:
        return self.get_ident(request) or "unknown"


@dataclass
class _Window:
    expires_at: float  # time.monotonic() after which the shared counter is gone too
    synced: int = 0  # the shared total at the last exchange
    pending: int = 0  # counted here since, not yet added to the shared total
    in_flight: int = 0  # being added by the exchange under way
    synced_at: float = float("-inf")


class LocalWindowCounts:
    """A process-local front for window counters, for requests whose answer costs less than a
    round trip to the shared store (cached public answers).

    Each count is added here; the shared counter is brought up to date (adding what was counted
    here, reading back the total of every process) by the first request of a window and then
    at most every ``sync_seconds``, by whichever request finds the exchange due. A request is
    judged on the last shared total plus what this process counted since. So a client that
    sends fewer than one request per ``sync_seconds`` to a process is counted exactly, and a
    flood can overshoot its limit by at most what it sent each process within
    ``sync_seconds`` before the next exchange. A failed exchange keeps its counts for the next.
    """

    max_windows = 10_000

    def __init__(self, sync_seconds: float = 0.05) -> None:
        self.sync_seconds = sync_seconds
        self._windows: dict[str, _Window] = {}
        self._lock = threading.Lock()

    def count(self, key: str, ttl: int) -> int:
        """Count one request in window ``key``; return the window's estimated total."""
        now = time.monotonic()
        with self._lock:
            window = self._windows.get(key)
            if window is None:
                window = self._windows[key] = self._new_window(now, ttl)
            window.pending += 1
            estimate = window.synced + window.in_flight + window.pending
            if window.in_flight or now - window.synced_at < self.sync_seconds:
                return estimate
            sending = window.in_flight = window.pending
            window.pending = 0
        total = window_incr(key, ttl, sending)  # outside the lock: a round trip
        with self._lock:
            if total is None:
                window.pending += sending
            else:
                window.synced = max(window.synced, total)
            window.in_flight = 0
            window.synced_at = time.monotonic()
            return estimate if total is None else total + window.pending

    def _new_window(self, now: float, ttl: int) -> _Window:
        if len(self._windows) >= self.max_windows:
            live = {k: w for k, w in self._windows.items() if w.expires_at > now}
            # Many live windows (a spread of clients): start over rather than grow; their
            # next request exchanges at once, so what was pending here is the only loss.
            self._windows = live if len(live) < self.max_windows // 2 else {}
        return _Window(expires_at=now + ttl)

    def clear(self) -> None:
        with self._lock:
            self._windows.clear()


local_counts = LocalWindowCounts()
