"""A circuit breaker whose state lives in the cache, so every process shares it.

Closed: calls go through; each failed call increments a counter with ``cache.incr`` and a
success resets it. After ``threshold`` consecutive failures the breaker opens for ``cooldown``
seconds and calls fail fast. Then it half-opens: ``cache.add`` on a probe key lets exactly one
caller through; its success closes the breaker, its failure opens it again.

It uses the cache's atomic ``add`` and ``incr`` directly (apps.core.cache wraps only get, set
and delete). A cache outage reads as "closed": TMDb is then called unguarded, never refused.
"""

import logging
import time

from django.core.cache import cache

from apps.core.logging import log_once

logger = logging.getLogger(__name__)


class CircuitBreaker:
    def __init__(self, name: str, *, threshold: int, cooldown: float) -> None:
        self.threshold = max(1, threshold)
        self.cooldown = cooldown
        self._failures_key = f"breaker:{name}:failures"
        self._open_until_key = f"breaker:{name}:open_until"
        self._probe_key = f"breaker:{name}:probe"

    def allow(self) -> bool:
        """True if a call may go out now (closed, or this caller won the half-open probe)."""
        try:
            open_until = cache.get(self._open_until_key)
            if open_until is None:
                return True
            if time.time() < float(open_until):
                return False
            # Cool-down over: half-open. The probe key expires so a crashed probe cannot wedge it.
            return bool(cache.add(self._probe_key, 1, timeout=max(1, int(self.cooldown))))
        except Exception:  # noqa: BLE001 - a cache outage must not block TMDb calls
            log_once(logger, "breaker_cache_failed", "breaker_cache_unavailable")
            return True

    def state(self) -> str:
        try:
            open_until = cache.get(self._open_until_key)
        except Exception:  # noqa: BLE001
            return "closed"
        if open_until is None:
            return "closed"
        return "open" if time.time() < float(open_until) else "half_open"

    def record_success(self) -> None:
        try:
            if cache.get(self._open_until_key) is not None:
                logger.info("tmdb_breaker_closed")
            cache.delete_many([self._failures_key, self._open_until_key, self._probe_key])
        except Exception:  # noqa: BLE001
            log_once(logger, "breaker_cache_failed", "breaker_cache_unavailable")

    def record_failure(self) -> None:
        try:
            cache.add(self._failures_key, 0, timeout=None)
            try:
                failures = cache.incr(self._failures_key)
            except ValueError:  # evicted between add and incr
                cache.set(self._failures_key, 1, timeout=None)
                failures = 1
            half_open = cache.get(self._open_until_key) is not None
            if failures >= self.threshold or half_open:
                cache.set(self._open_until_key, time.time() + self.cooldown, timeout=None)
                cache.delete(self._probe_key)
                log_once(
                    logger,
                    f"breaker_open:{self._open_until_key}",
                    "tmdb_breaker_open",
                    failures=failures,
                    cooldown=self.cooldown,
                )
        except Exception:  # noqa: BLE001
            log_once(logger, "breaker_cache_failed", "breaker_cache_unavailable")

    def reset(self) -> None:
        try:
            cache.delete_many([self._failures_key, self._open_until_key, self._probe_key])
        except Exception:  # noqa: BLE001
            log_once(logger, "breaker_cache_failed", "breaker_cache_unavailable")
