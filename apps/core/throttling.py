"""Throttle scopes backed by the cache: ``anon``, ``user`` and the strict ``auth``.

Rates are read when a request is checked, not when the class is imported, so settings changes
(and tests) take effect. Client identity honours NUM_PROXIES through DRF's get_ident.
"""

from rest_framework import throttling
from rest_framework.settings import api_settings


class _LiveRateMixin:
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class AnonRateThrottle(_LiveRateMixin, throttling.AnonRateThrottle):
    scope = "anon"


class UserRateThrottle(_LiveRateMixin, throttling.UserRateThrottle):
    scope = "user"


class AuthRateThrottle(_LiveRateMixin, throttling.SimpleRateThrottle):
    """Strict per-client limit for authentication endpoints (login, register, reset)."""

    scope = "auth"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
