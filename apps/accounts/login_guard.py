"""Brute-force protection for login: atomic failure counters in the cache.

Three fixed one-minute windows are counted, each with the cache helper's atomic counter
(apps.core.cache ``cache_incr``):

- one account from one client (default 5 failures): a guesser is stopped fast;
- one account from any client (default 20): a distributed guesser is stopped too, while a
  single attacking address cannot lock the real user out from their own address;
- one client against any account (default 30): credential stuffing from one address.

An attempt reserves its slot before the password is checked, so parallel requests cannot all
slip under the limit; a successful login releases only its own reservation, never the failures
other clients caused. Windows expire on their own: there is no permanent lockout. If the cache
is unavailable the guard lets attempts through (logged once) rather than locking everyone out.
"""

import hashlib
import logging
import time
from dataclasses import dataclass, field

from django.conf import settings

from apps.accounts.exceptions import TooManyAttempts
from apps.core.cache import cache_incr
from apps.core.logging import log_once

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 60
DEFAULT_LIMITS = {"account_client": 5, "account": 20, "client": 30}


def _now() -> float:
    return time.time()


def _limits() -> dict[str, int]:
    return {**DEFAULT_LIMITS, **getattr(settings, "ACCOUNTS_LOGIN_FAILURE_LIMITS", {})}


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:32]


def _hit(key: str) -> int | None:
    """Count one attempt in window ``key``; None when the cache cannot count."""
    count = cache_incr(key, ttl=WINDOW_SECONDS * 2)
    if count is None:
        log_once(logger, "login_guard_cache_failed", "login_guard_unavailable")
    return count


def _release(key: str) -> None:
    if cache_incr(key, -1, ttl=WINDOW_SECONDS * 2) is None:
        log_once(logger, "login_guard_cache_failed", "login_guard_unavailable")


@dataclass
class LoginAttempt:
    """One login attempt holding a reserved slot in each of its counters."""

    keys: list[str] = field(default_factory=list)

    def succeeded(self) -> None:
        """The password was right: this attempt was not a failure."""
        for key in self.keys:
            _release(key)
        self.keys = []


def login_attempt_begin(*, account: str, client: str | None) -> LoginAttempt:
    """Reserve an attempt for ``account`` (a user id or a normalised login name) from
    ``client`` (an address); raises TooManyAttempts with the seconds until the window ends."""
    now = _now()
    window = int(now // WINDOW_SECONDS)
    retry_after = max(1, int((window + 1) * WINDOW_SECONDS - now))
    # A request without an address (some WSGI test clients) still counts, as "unknown".
    account_id, client_id = _digest(account), _digest(client or "unknown")
    counters = {
        "account_client": f"login_fail:ac:{account_id}:{client_id}:{window}",
        "account": f"login_fail:a:{account_id}:{window}",
        "client": f"login_fail:c:{client_id}:{window}",
    }
    limits = _limits()
    attempt = LoginAttempt()
    over_limit = False
    for name, key in counters.items():
        count = _hit(key)
        if count is None:
            continue
        attempt.keys.append(key)
        if count > limits[name]:
            over_limit = True
    if over_limit:
        # Refused attempts do not check a password, so they do not count as failures.
        attempt.succeeded()
        raise TooManyAttempts(
            f"Too many failed login attempts; try again in {retry_after} seconds.",
            retry_after=retry_after,
        )
    return attempt
