"""Throttle scopes backed by the cache: ``anon``, ``user`` and the strict ``auth``.

DRF's SimpleRateThrottle keeps a list of timestamps per client and rewrites it on every request
(two cache round trips, and two concurrent requests can both pass the last slot). These
throttles count requests in fixed windows with the cache's atomic ``incr`` instead: one round
trip on the common path, and no lost updates. Each request is counted by one scope only
(anonymous clients by ``anon``, users by ``user``), plus ``auth`` on authentication routes.

Rates are read when a request is checked, not when the class is imported, so settings changes
(and tests) take effect. Client identity honours NUM_PROXIES through DRF's get_ident. With the
cache down a throttle lets requests through (the outage is logged once by the cache layer).
"""

import time

from django.core.cache import cache
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle


def _window_incr(key: str, ttl: int) -> int | None:
    """Increment the window counter ``key``; None when the cache cannot answer."""
    try:
        return cache.incr(key)
    except ValueError:
        # First request of the window. add() is atomic: if another request created the key
        # in between, add fails and the incr below counts this request on top of it.
        if cache.add(key, 1, ttl):
            return 1
        try:
            return cache.incr(key)
        except ValueError:
            return None
    except Exception:  # noqa: BLE001 - a throttle store outage must not fail requests
        return None


class WindowRateThrottle(BaseThrottle):
    scope = ""

    def __init__(self) -> None:
        self.rate = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)
        self.num_requests, self.duration = SimpleRateThrottle.parse_rate(None, self.rate)
        self._wait = 0.0

    def get_cache_key(self, request, view) -> str | None:
        raise NotImplementedError

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        now = time.time()
        window = int(now // self.duration)
        self._wait = (window + 1) * self.duration - now
        count = _window_incr(f"throttle:{self.scope}:{key}:{window}", self.duration + 1)
        return count is None or count <= self.num_requests

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
