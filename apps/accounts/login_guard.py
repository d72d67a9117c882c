"""Brute-force protection for login: atomic failure counters in the cache, and a short delay
that lets the real user through while strangers flood the account.

Fixed one-minute windows are counted, each with the cache helper's atomic counter
(apps.core.cache ``cache_incr``):

- one account from one client (default 5 failures): a guesser is stopped fast;
- one client against any account (default 30): credential stuffing from one address;
- one account from any client (default 20): a distributed guess. Over this limit the account
  is not locked: an attempt must first wait. It is answered 429 ``login_challenge`` with a
  signed challenge bound to the account and the client; sent back with the login after
  ``ACCOUNTS_LOGIN_CHALLENGE_DELAY`` seconds (default 10), once, it lets the password be
  checked. Such attempts have their own, lower limit per account and client (default 2 a
  window), so under attack every address gets at most that many guesses a minute, while the
  real user, from any address, logs in after one short wait. Strangers can slow the account's
  logins down, never stop them.

A client is its address; IPv6 addresses count by their /64 network, which one subscriber
usually holds whole. An attempt reserves its slot before the password is checked, so parallel
requests cannot all slip under a limit; a successful login releases only its own reservation,
never the failures other clients caused. Windows expire on their own: there is no permanent
lockout. If the cache is unavailable the guard lets attempts through (logged once) rather than
locking everyone out. Callers that already hold a valid access token (changing the password or
the email, deleting the account) are not subject to the account-wide limit: a stranger flooding
the login has no token, and the token holder is still limited per client.
"""

import hashlib
import ipaddress
import logging
import secrets
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core import signing

from apps.accounts.exceptions import LoginChallengeRequired, TooManyAttempts
from apps.core.cache import cache_add, cache_incr
from apps.core.logging import log_once

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 60
DEFAULT_LIMITS = {"account_client": 5, "account": 20, "client": 30, "account_client_challenged": 2}
DEFAULT_CHALLENGE_DELAY = 10
CHALLENGE_LIFETIME = 300  # seconds a challenge can be used, once its delay has passed
CHALLENGE_SALT = "apps.accounts.login-challenge"


def _now() -> float:
    return time.time()


def _limits() -> dict[str, int]:
    return {**DEFAULT_LIMITS, **getattr(settings, "ACCOUNTS_LOGIN_FAILURE_LIMITS", {})}


def challenge_delay() -> int:
    """Seconds between a challenge and the attempt that may use it."""
    return int(getattr(settings, "ACCOUNTS_LOGIN_CHALLENGE_DELAY", DEFAULT_CHALLENGE_DELAY))


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:32]


def client_key(client: str | None) -> str:
    """What one client is: its IPv4 address, or the /64 network of its IPv6 address (an IPv6
    subscriber holds a whole /64, so counting single addresses would count nothing)."""
    if not client:
        # A request without an address (some WSGI test clients) still counts, as "unknown".
        return "unknown"
    try:
        address = ipaddress.ip_address(client)
    except ValueError:
        return client
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{address}/64", strict=False))
    return str(address)


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

    def hold(self, counters: dict[str, str], limits: dict[str, int]) -> bool:
        """Reserve a slot in each counter; True if any of them is now over its limit."""
        over_limit = False
        for name, key in counters.items():
            count = _hit(key)
            if count is None:
                continue
            self.keys.append(key)
            if count > limits[name]:
                over_limit = True
        return over_limit

    def succeeded(self) -> None:
        """The password was right (or was not checked): this attempt was not a failure."""
        for key in self.keys:
            _release(key)
        self.keys = []


def _challenge_make(*, account_id: str, client_id: str, now: float) -> str:
    payload = {"a": account_id, "c": client_id, "t": int(now), "n": secrets.token_hex(8)}
    return signing.dumps(payload, salt=CHALLENGE_SALT)


def _challenge_read(challenge: str | None, *, account_id: str, client_id: str, now: float):
    """The challenge's single-use id if it is ours, for this account and client, and its delay
    has passed but not its lifetime; else None."""
    if not challenge:
        return None
    try:
        payload = signing.loads(challenge, salt=CHALLENGE_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(payload, dict) or (payload.get("a"), payload.get("c")) != (
        account_id,
        client_id,
    ):
        return None
    issued_at, nonce = payload.get("t"), payload.get("n")
    if not isinstance(issued_at, int) or not isinstance(nonce, str):
        return None
    waited = now - issued_at
    if not challenge_delay() <= waited <= challenge_delay() + CHALLENGE_LIFETIME:
        return None
    return nonce


def login_attempt_begin(
    *,
    account: str,
    client: str | None,
    challenge: str | None = None,
    authenticated: bool = False,
) -> LoginAttempt:
    """Reserve an attempt for ``account`` (a user id or a normalised login name) from
    ``client`` (an address).

    Raises TooManyAttempts with the seconds until the window ends, or LoginChallengeRequired
    when the account is flooded and ``challenge`` is not a usable one. ``authenticated``
    callers (holding a valid access token) skip the account-wide limit.
    """
    now = _now()
    window = int(now // WINDOW_SECONDS)
    retry_after = max(1, int((window + 1) * WINDOW_SECONDS - now))
    account_id, client_id = _digest(account), _digest(client_key(client))
    limits = _limits()
    attempt = LoginAttempt()
    client_over = attempt.hold(
        {
            "account_client": f"login_fail:ac:{account_id}:{client_id}:{window}",
            "client": f"login_fail:c:{client_id}:{window}",
        },
        limits,
    )
    account_over = attempt.hold({"account": f"login_fail:a:{account_id}:{window}"}, limits)
    if client_over:
        # Refused attempts do not check a password, so they do not count as failures.
        attempt.succeeded()
        raise TooManyAttempts(
            f"Too many failed login attempts; try again in {retry_after} seconds.",
            retry_after=retry_after,
        )
    if not account_over or authenticated:
        return attempt
    nonce = _challenge_read(challenge, account_id=account_id, client_id=client_id, now=now)
    if nonce is not None:
        challenged_key = f"login_fail:acc:{account_id}:{client_id}:{window}"
        if attempt.hold({"account_client_challenged": challenged_key}, limits):
            attempt.succeeded()
            raise TooManyAttempts(
                f"Too many failed login attempts; try again in {retry_after} seconds.",
                retry_after=retry_after,
            )
        if cache_add(f"login_challenge_used:{nonce}", 1, CHALLENGE_LIFETIME + WINDOW_SECONDS):
            return attempt
    attempt.succeeded()
    raise LoginChallengeRequired(
        challenge=_challenge_make(account_id=account_id, client_id=client_id, now=now),
        delay=challenge_delay(),
    )
