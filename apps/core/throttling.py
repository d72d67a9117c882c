"""Throttle scopes backed by the cache: ``anon``, ``user`` and the strict ``auth``.

DRF's SimpleRateThrottle keeps a list of timestamps per client and rewrites it on every request
(two cache round trips, and two concurrent requests can both pass the last slot). These
throttles count requests in fixed windows with an atomic increment instead (apps.core.cache
``cache_incr``): one round trip, and no lost updates. The anonymous fast path
(apps.core.fastpath) counts the requests it serves through a process-local front of the same
counters, with ``window_counter`` and ``allow_count``. Each request is counted by one scope
only (anonymous clients by ``anon``, users by ``user``), plus ``auth`` on authentication
routes.

The ``anon`` and ``user`` scopes count every request, on the DRF path too, through that
process-local front (``counted_locally``): it exchanges with the shared counter on a window's
first request, then at most every 50 ms near the limit and, far from it, once a process has
counted a tenth of the room left or every 5 s: a logged-in request costs no Redis round trip for
its throttle most of the time (issue 15); a flood can overshoot a limit by what it sends one
process between two exchanges (apps.core.fastpath ``LocalWindowCounts``). The strict ``auth``
scope counts every request in the shared counter.

Rates are read when a request is checked, not when the class is imported, so settings changes
(and tests) take effect. Clients are identified by apps.core.context ``client_ip``, which honours
NUM_PROXIES. With the cache down a throttle lets requests through (the outage is logged once by
the cache layer).

``TMDbRateThrottle`` (scope ``tmdb``, THROTTLE_TMDB) is not a default class: a request is
counted against it only when it is about to make the server call TMDb (``request_throttle_wait``
from apps.tmdb.client), once per request and per client address, so a request answered from the
database or the cache spends nothing of it.
"""

import time
from types import SimpleNamespace

from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle

from apps.core.cache import cache_incr
from apps.core.context import client_ip, request_context


class WindowRateThrottle(BaseThrottle):
    scope = ""
    counted_locally = False  # through apps.core.fastpath local_counts (see the module doc)

    def __init__(self) -> None:
        self.rate = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)
        self.num_requests, self.duration = SimpleRateThrottle.parse_rate(None, self.rate)
        self._wait = 0.0

    def get_cache_key(self, request, view) -> str | None:
        raise NotImplementedError

    def get_ident(self, request) -> str:
        return client_ip(request.META) or "unknown"

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
        if counter is None:
            return True
        if self.counted_locally:
            from apps.core.fastpath import local_counts  # fastpath imports this module

            return self.allow_count(local_counts.count(*counter, limit=self.num_requests))
        return self.allow_count(cache_incr(counter[0], ttl=counter[1]))

    def wait(self) -> float:
        return self._wait


class AnonRateThrottle(WindowRateThrottle):
    """Anonymous clients, per client address."""

    scope = "anon"
    counted_locally = True

    def get_cache_key(self, request, view) -> str | None:
        if request.user and request.user.is_authenticated:
            return None
        return self.get_ident(request)


class UserRateThrottle(WindowRateThrottle):
    """Authenticated users, per user (anonymous clients are the anon scope's)."""

    scope = "user"
    counted_locally = True

    def get_cache_key(self, request, view) -> str | None:
        if not (request.user and request.user.is_authenticated):
            return None
        return str(request.user.pk)


class AuthRateThrottle(WindowRateThrottle):
    """Strict per-client limit for authentication endpoints (login, register, reset)."""

    scope = "auth"

    def get_cache_key(self, request, view) -> str | None:
        return self.get_ident(request)


class TMDbRateThrottle(WindowRateThrottle):
    """Requests that make the server call TMDb (an unknown TMDb id fetched on demand), per
    client address, signed in or not: TMDb's quota and our tables are shared by everyone."""

    scope = "tmdb"

    def get_cache_key(self, request, view) -> str | None:
        return self.get_ident(request)


def request_throttle_wait(throttle_class: type[WindowRateThrottle]) -> float | None:
    """Count the request being served (apps.core.context) against ``throttle_class``, once per
    request: None while it is within the rate, else the seconds until the window ends. Nothing
    is counted outside a request (tasks, commands)."""
    context = request_context()
    if context.request_id is None or not context.count_once(f"throttle:{throttle_class.scope}"):
        return None
    throttle = throttle_class()
    counter = throttle.window_counter(SimpleNamespace(META=context.meta, user=None), None)
    if counter is None or throttle.allow_count(cache_incr(counter[0], ttl=counter[1])):
        return None
    return throttle.wait()
