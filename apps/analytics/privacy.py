"""Client addresses in the activity log: encrypted, never stored in clear (seed 002 asks for
application-level encryption of IP addresses).

Fernet (``cryptography``: AES-128-CBC with an HMAC-SHA256 tag, a random IV per token) with the
keys of ``ANALYTICS_IP_KEYS`` (comma-separated Fernet keys; the first encrypts, all decrypt, so
a key can be rotated in). Unset, one key is derived from SECRET_KEY. The same address encrypts
to a different token each time: the stored column cannot be used to follow an address across
rows; grouping a client's requests is the session id's job (apps.analytics.sessions), keyed by
``client_key``, a keyed hash that is never stored.
"""

import base64
import hashlib
import hmac
import ipaddress
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


def _derived_key() -> bytes:
    digest = hashlib.sha256(b"nexus-analytics-ip:" + settings.SECRET_KEY.encode()).digest()
    return base64.urlsafe_b64encode(digest)


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys] or [Fernet(_derived_key())])


def ip_cipher() -> MultiFernet:
    return _fernet(tuple(getattr(settings, "ANALYTICS_IP_KEYS", ()) or ()))


def ip_encrypt(value: str | None) -> str | None:
    """The encrypted token of ``value`` if it is an IP address, else None (what a proxy sends
    instead of an address is not kept)."""
    try:
        address = str(ipaddress.ip_address(value)) if value else None
    except ValueError:
        return None
    if address is None:
        return None
    return ip_cipher().encrypt(address.encode()).decode()


def ip_decrypt(token: str | None) -> str | None:
    """The address in a stored token; None if there is none or no key opens it."""
    if not token:
        return None
    try:
        return ip_cipher().decrypt(token.encode()).decode()
    except InvalidToken:
        return None


def client_key(*, user_id: int | None, client_ip: str | None, user_agent: str) -> str:
    """Who a request came from, as a keyed hash: the user when signed in, else the address and
    user agent. Only compared, never stored."""
    who = f"u:{user_id}" if user_id is not None else f"a:{client_ip or ''}|{user_agent}"
    mac = hmac.new(settings.SECRET_KEY.encode(), who.encode(), hashlib.sha256)
    return mac.hexdigest()[:32]
