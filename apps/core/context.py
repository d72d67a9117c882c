"""The request context: who is asking, set once per request by RequestContextMiddleware.

Logging, the error envelope, analytics and the login guard read it here, so services take no
HTTP request: ``request_context()`` answers the request id, the client's address, user agent
and referer of the request being served (all empty outside a request: tasks, commands, tests
that call services directly). ``client_ip`` is the one reading of the client's address,
used by the throttles too.
"""

import re
import uuid
from collections.abc import Mapping
from contextvars import ContextVar, Token

from rest_framework.settings import api_settings

# A client may send its own X-Request-ID; we keep it only if it is short and plain.
_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")


def request_id_from_header(value: str | None) -> str:
    if value and _SANE_REQUEST_ID.match(value):
        return value
    return uuid.uuid4().hex


def client_ip(meta: Mapping[str, str]) -> str | None:
    """The client's address from a request's META, exactly as DRF's throttles identify clients.

    With NUM_PROXIES = N > 0 the address is the Nth entry from the right of X-Forwarded-For (the
    one the outermost trusted proxy saw), else REMOTE_ADDR: a client cannot choose its address
    by sending the header itself. The value is what was sent (an address, unless a proxy is
    misconfigured); whoever stores it as an address validates it.
    """
    forwarded = meta.get("HTTP_X_FORWARDED_FOR")
    remote_addr = meta.get("REMOTE_ADDR")
    num_proxies = api_settings.NUM_PROXIES
    if num_proxies is not None:
        if num_proxies == 0 or forwarded is None:
            return remote_addr
        addresses = forwarded.split(",")
        return addresses[-min(num_proxies, len(addresses))].strip()
    return "".join(forwarded.split()) if forwarded else remote_addr


class RequestContext:
    """The request being served, as services may know it. Read lazily from the request's META,
    so a request that never asks pays nothing but this object."""

    __slots__ = ("_counted", "_meta", "request_id")

    def __init__(self, request_id: str | None = None, meta: Mapping[str, str] | None = None):
        self.request_id = request_id
        self._meta = meta if meta is not None else {}
        self._counted: set[str] | None = None

    @property
    def meta(self) -> Mapping[str, str]:
        return self._meta

    def count_once(self, name: str) -> bool:
        """True the first time ``name`` is asked for during this request (a throttle scope
        counted where a service works, not per view: apps.core.throttling)."""
        if self._counted is None:
            self._counted = set()
        if name in self._counted:
            return False
        self._counted.add(name)
        return True

    @property
    def client_ip(self) -> str | None:
        return client_ip(self._meta) if self._meta else None

    @property
    def user_agent(self) -> str:
        return self._meta.get("HTTP_USER_AGENT", "")

    @property
    def referer(self) -> str:
        return self._meta.get("HTTP_REFERER", "")

    @property
    def session_id(self) -> str:
        """The client's own session token (``X-Session-ID``) if it is short and plain, else ""
        (analytics then finds the session itself)."""
        value = self._meta.get("HTTP_X_SESSION_ID", "")
        return value if value and _SANE_REQUEST_ID.match(value) else ""


NO_REQUEST = RequestContext()
_context: ContextVar[RequestContext] = ContextVar("request_context", default=NO_REQUEST)


def request_context() -> RequestContext:
    """The context of the request being served (NO_REQUEST outside one)."""
    return _context.get()


def current_request_id() -> str | None:
    return _context.get().request_id


def request_context_enter(context: RequestContext) -> Token:
    """Make ``context`` current; pass the token to ``request_context_exit`` when done."""
    return _context.set(context)


def request_context_exit(token: Token) -> None:
    _context.reset(token)
