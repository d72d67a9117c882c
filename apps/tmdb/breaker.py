"""A circuit breaker whose state lives in the cache, so every process shares it.

Closed: calls go through; each failed call adds one to a shared counter (``cache_incr``) and a
success resets it. After ``threshold`` consecutive failures the breaker opens for ``cooldown``
seconds and calls fail fast. Then it half-opens: ``cache_add`` on a probe key lets exactly one
caller, in any process, through; its success closes the breaker, its failure opens it again.

Everything goes through the cache helper (apps.core.cache), so a cache outage reads as "closed":
TMDb is then called unguarded, never refused.
"""

import logging
import time

from apps.core.cache import cache_add, cache_delete_many, cache_get, cache_incr, cache_set
from apps.core.logging import log_once

logger = logging.getLogger(__name__)


class CircuitBreaker:
    def __init__(self, name: str, *, threshold: int, cooldown: float) -> None:
        self.threshold = max(1, threshold)
        self.cooldown = cooldown
        self._failures_key = f"breaker:{name}:failures"
        self._open_until_key = f"breaker:{name}:open_until"
        self._probe_key = f"breaker:{name}:probe"

    def _open_until(self) -> float | None:
        value = cache_get(self._open_until_key)
        return float(value) if isinstance(value, int | float) else None

    def allow(self) -> bool:
        """True if a call may go out now (closed, or this caller won the half-open probe)."""
        open_until = self._open_until()
        if open_until is None:
            return True
        if time.time() < open_until:
            return False
        # Cool-down over: half-open. The probe key expires so a crashed probe cannot wedge it.
        return cache_add(self._probe_key, 1, max(1, int(self.cooldown)))

    def state(self) -> str:
        open_until = self._open_until()
        if open_until is None:
            return "closed"
        return "open" if time.time() < open_until else "half_open"

    def record_success(self) -> None:
        if self._open_until() is not None:
            logger.info("tmdb_breaker_closed")
        self.reset()

    def record_failure(self) -> None:
        failures = cache_incr(self._failures_key)
        if failures is None:
            return  # the cache cannot count: stay closed
        if failures >= self.threshold or self._open_until() is not None:
            cache_set(self._open_until_key, time.time() + self.cooldown, None)
            cache_delete_many([self._probe_key])
            log_once(
                logger,
                f"breaker_open:{self._open_until_key}",
                "tmdb_breaker_open",
                failures=failures,
                cooldown=self.cooldown,
            )

    def reset(self) -> None:
        cache_delete_many([self._failures_key, self._open_until_key, self._probe_key])
