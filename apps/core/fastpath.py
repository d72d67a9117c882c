"""The fast paths: cached answers served as bytes before DRF. The anonymous one serves public
answers from a copy the process keeps, with the anonymous throttle counted in the process too;
the logged-in one (issue 15) serves a logged-in GET whose answer is cached (the public bytes as
they are, the public bytes plus the user's own small part, or the user's own cached answer)
after the token's checks, with one cache round trip.

Why: a hot public answer (a catalog list, a movie's details, a search, later the anonymous home
page) is the same bytes for every anonymous client. Rendering it through DRF, or even reading it
from Redis, costs more than the bytes themselves: one Redis round trip per request had cost a
third of the bare Django view's throughput (README, "HTTP"). So an anonymous GET whose answer is
cached is answered here, without DRF, without the database, and usually without Redis.

What it trades, and the bounds:

- Staleness across processes. Each process keeps its own copy of an answer for up to
  CACHE_LOCAL_MS (default 1000 ms; 0 turns the copies off). An invalidation made in this process
  drops its copies at once (apps.core.cache ``namespace_listen``); one made in another process
  (a worker's sync, another server process) reaches this one within CACHE_LOCAL_MS.
- Throttle precision. A request served here is still counted by the anonymous throttle, but
  through a process-local front of the shared counter (``LocalWindowCounts``) that exchanges
  with Redis on a window's first request and then at most every 50 ms. A client sending fewer
  than one request per 50 ms to a process is counted exactly; a flood can overshoot its limit
  by at most what it sends each process between two exchanges.
- Memory: at most ``LocalCopies.max_entries`` copies and ``LocalWindowCounts.max_windows``
  throttle windows per process; a copy may hold its gzip-compressed bytes too.
- Compression (issue 11.19): a client that accepts gzip gets the answer compressed, from
  compressed bytes kept beside the process's copy, made on the first such request and reused
  until the copy expires: one compression per answer per process per CACHE_LOCAL_MS, not one
  per request. With local copies off (CACHE_LOCAL_MS=0) every such hit compresses. The
  compressed bytes are always the same for the same answer (no timestamp): these answers are
  public, so BREACH-style guessing has no secret to find; everything else is compressed by
  Django's GZipMiddleware, which pads against it.

What it never trades: who may see an answer. Only views whose permission classes are exactly
``[AllowAny]`` may use it, checked when the class is defined and when ``as_view`` is given
overrides: anything else raises ImproperlyConfigured at import, so a misconfigured view fails
every test run and never serves a request. The view must authenticate through the
``Authorization`` header only (the project's JWT authentication): a request carrying that
header, any method but GET, a miss, invalid parameters or a spent throttle window take the
ordinary DRF path, which answers exactly as it would have. A request counted here is not
counted again there (a refusal here is DRF's 429). The bytes served are the body the DRF path
rendered and stored, with the headers DRF adds, byte for byte.

The interface for a view of any app: subclass ``CachedBytesMixin`` with a DRF view, set
``permission_classes = [AllowAny]``, define ``cache_slot(request)`` (where the public answer to
a request is cached, built from validated parameters only, so junk parameters cannot fill the
cache), and answer with ``bytes_cached(slot, produce)``. A logged-in request that adds its own
small part to the public one (the user's state on a movie) answers with
``bytes_with_overlay(slot, produce_data, key, value)``: the public bytes (this process's copy,
else the cache, else made and stored) with ``"key": value`` added to the answer's data object,
spliced into the bytes instead of parsing and rendering the whole answer again.
``cached_data(slot, produce)`` reads the public part as data. The entries live in
apps.core.cache namespaces: invalidating the namespace drops the answers.

The logged-in fast path (``logged_in_hit``), for a GET with an ``Authorization`` header, on
views that opt in: ``logged_in_public = True`` (the same bytes as anonymous clients get: a list
that is not personal), or ``user_slot(request, user_id)`` naming where the user's part is
cached (``UserSlot``: a namespace the user's writes invalidate, the namespaces it was made
from, and the member it adds to the public data object, or none when it is the whole answer;
views of the caller's own data subclass ``UserBytesMixin``, which requires exactly
``[IsAuthenticated]`` and never serves anonymous clients). The view's one authenticator checks
the token in the process (``fast_credentials``: signature, expiry, type) and names the keys
it needs read (the session's revocation mark, the shared copy of the user's row:
apps.accounts.authentication); those, the public bytes (unless this process has a copy) and
the user's part are read in one ``get_many`` (apps.core.cache ``versioned_get_many``). Then
the user is checked (session not revoked, active, token version), counted by the user
throttle through the local front, and the answer is sent: the user's part made here on a miss
when the view can (``user_part``: the state on a movie, one query), else left to the DRF path.
Anything refused or missing (a bad or expired token, a revoked session, the cache down, a
public miss, a 429) goes to the DRF path, which answers exactly as it would have; a user
checked here is not checked twice (``request.fast_authenticated``). The bounds are the DRF
path's: a revoked session is refused on the next request in every process (the mark is read
every time), a password change or a deactivation too (the shared copy of the row is dropped
when the save commits; if the cache cannot be written then, at most its 30 s TTL). Nothing is
cached per process for a user; logged-in answers are ``Cache-Control: private``
(apps.core.private_answers) and compressed by GZipMiddleware unless they are the public bytes.
"""

import gzip
import json
import re
import threading
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers
from rest_framework.exceptions import APIException
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.cache import (
    MISSING,
    cache_incr,
    namespace_listen,
    versioned_get,
    versioned_get_many,
    versioned_set,
)
from apps.core.envelope import success_body
from apps.core.exceptions import ApplicationError
from apps.core.renderers import EnvelopeJSONRenderer
from apps.core.throttling import WindowRateThrottle

CONTENT_TYPE = "application/json"


class LocalCopies:
    """This process's copies of hot public answers, each fresh for CACHE_LOCAL_SECONDS.

    At most ``max_entries`` copies: past that the stale ones go, and if that is not enough, all
    of them (cheaper than LRU bookkeeping on every hit, and a burst of distinct answers is what
    fills it).
    """

    max_entries = 2048

    def __init__(self) -> None:
        self._entries: dict[str, dict[tuple, tuple[float, Any]]] = {}
        self._size = 0
        self._lock = threading.Lock()

    def get(self, namespace: str, parts: tuple) -> Any:
        """The copy of ``parts`` in ``namespace`` while fresh, else ``MISSING``."""
        found = self._entries.get(namespace, {}).get(parts)
        if found is None or found[0] <= time.monotonic():
            return MISSING
        return found[1]

    def put(self, namespace: str, parts: tuple, value: Any) -> None:
        """Keep ``value`` for CACHE_LOCAL_SECONDS (0 turns the copies off)."""
        seconds = settings.CACHE_LOCAL_SECONDS
        if seconds <= 0:
            return
        now = time.monotonic()
        with self._lock:
            if self._size >= self.max_entries:
                self._entries = {
                    name: fresh
                    for name, entries in self._entries.items()
                    if (fresh := {k: entry for k, entry in entries.items() if entry[0] > now})
                }
                self._size = sum(len(entries) for entries in self._entries.values())
                if self._size >= self.max_entries:
                    self._entries, self._size = {}, 0
            entries = self._entries.setdefault(namespace, {})
            self._size += parts not in entries
            entries[parts] = (now + seconds, value)

    def drop(self, namespace: str) -> None:
        """Forget the copies of one namespace (it was invalidated)."""
        with self._lock:
            self._size -= len(self._entries.pop(namespace, {}))

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._size = 0

    def __len__(self) -> int:
        return self._size


@dataclass
class _Window:
    expires_at: float  # time.monotonic() after which the shared counter is gone too
    synced: int = 0  # the shared total at the last exchange
    pending: int = 0  # counted here since, not yet added to the shared total
    in_flight: int = 0  # being added by the exchange under way
    synced_at: float = float("-inf")


class LocalWindowCounts:
    """A process-local front for the shared window counters of the throttles.

    Each count is added here; the shared counter is brought up to date (adding what was counted
    here, reading back the total of every process) by the first request of a window and then
    at most every ``sync_seconds``, by whichever request finds the exchange due. A request is
    judged on the last shared total plus what this process counted since. A failed exchange
    keeps its counts for the next. At most ``max_windows`` windows are held.

    When the caller gives the window's ``limit``, a window far from it exchanges less often:
    once this process has counted a tenth (``1 / room_share``) of the room left under the limit
    at the last exchange, or ``max_seconds`` after it, whichever comes first. A user's window
    (600 a minute by default) sees a few requests a second, so without this nearly every
    logged-in request paid a Redis round trip for its throttle; now one in several seconds does.
    What this process can admit past the limit is unchanged in kind: near the limit the room
    is small and it exchanges every ``sync_seconds`` again, and far from it each process adds at
    most a tenth of the room before the others' counts are read.
    """

    max_windows = 10_000
    room_share = 10
    max_seconds = 5.0

    def __init__(self, sync_seconds: float = 0.05) -> None:
        self.sync_seconds = sync_seconds
        self._windows: dict[str, _Window] = {}
        self._lock = threading.Lock()

    def count(self, key: str, ttl: int, limit: int | None = None) -> int:
        """Count one request in window ``key`` (whose throttle admits ``limit`` requests, if
        given); return the window's estimated total."""
        now = time.monotonic()
        with self._lock:
            window = self._windows.get(key)
            if window is None:
                window = self._windows[key] = self._new_window(now, ttl)
            window.pending += 1
            estimate = window.synced + window.in_flight + window.pending
            if window.in_flight or not self._exchange_due(window, now, limit):
                return estimate
            sending = window.in_flight = window.pending
            window.pending = 0
        total = cache_incr(key, sending, ttl=ttl)  # outside the lock: a round trip
        with self._lock:
            if total is None:
                window.pending += sending
            else:
                window.synced = max(window.synced, total)
            window.in_flight = 0
            window.synced_at = time.monotonic()
            return estimate if total is None else total + window.pending

    def _exchange_due(self, window: _Window, now: float, limit: int | None) -> bool:
        elapsed = now - window.synced_at
        if elapsed < self.sync_seconds:
            return False
        if limit is None or elapsed >= self.max_seconds:
            return True
        return window.pending * self.room_share >= limit - window.synced

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

    def __len__(self) -> int:
        return len(self._windows)


# As django.middleware.gzip decides, so both paths agree on who gets gzip.
_ACCEPTS_GZIP = re.compile(r"\bgzip\b")
# Shorter answers are sent as they are (GZipMiddleware's threshold too).
MIN_COMPRESSED_LENGTH = 200


class CachedBody:
    """A cached answer's bytes as served, and its gzip-compressed form once asked for."""

    __slots__ = ("gzipped", "raw")

    def __init__(self, raw: bytes) -> None:
        self.raw = raw
        self.gzipped: bytes | None = None

    def gzip(self) -> bytes | None:
        """The compressed bytes, or None when compressing does not pay (short answers)."""
        if self.gzipped is None and len(self.raw) >= MIN_COMPRESSED_LENGTH:
            # Two threads may both compress on a first request: the same bytes, no harm.
            self.gzipped = gzip.compress(self.raw, compresslevel=6, mtime=0)
        return self.gzipped


def accepts_gzip(request) -> bool:
    return bool(_ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")))


local_copies = LocalCopies()
local_counts = LocalWindowCounts()
namespace_listen(local_copies.drop)


@dataclass(frozen=True)
class CacheSlot:
    """Where a public answer is cached: an apps.core.cache namespace, key parts, a TTL."""

    namespace: str
    parts: tuple
    ttl: int


# What a fast-path view must not change: the fast path skips APIView.initial, and with it the
# permission checks these methods make.
_PERMISSION_METHODS = ("initial", "get_permissions", "check_permissions")


def _refusals(view_class: type, overrides: dict, required: list) -> list[str]:
    permissions = list(overrides.get("permission_classes", view_class.permission_classes))
    problems = []
    if permissions != required:
        names = ", ".join(getattr(p, "__name__", repr(p)) for p in permissions)
        wanted = ", ".join(p.__name__ for p in required)
        problems.append(f"its permission classes are [{names}], not exactly [{wanted}]")
    for name in _PERMISSION_METHODS:
        if name in overrides or getattr(view_class, name) is not getattr(APIView, name):
            problems.append(f"it overrides {name}()")
    return problems


def _refuse_unless_allowed(view_class: type, overrides: dict) -> None:
    problems = _refusals(view_class, overrides, view_class.required_permissions)
    if problems:
        raise ImproperlyConfigured(
            f"{view_class.__module__}.{view_class.__qualname__} cannot serve cached "
            f"bytes before DRF: {'; '.join(problems)} (see apps.core.fastpath)."
        )


@dataclass(frozen=True)
class UserSlot:
    """Where a logged-in user's own part of an answer is cached: an apps.core.cache namespace
    (one the user's writes invalidate), key parts, a TTL, the other namespaces it was made
    from, and ``key``: the member it adds to the public answer's data object, or None when it
    is the whole answer."""

    namespace: str
    parts: tuple
    ttl: int
    depends_on: tuple[str, ...] = ()
    key: str | None = None


class _CachedBytesBase:
    """What both fast paths share (the mixins below): the permission check when a view is
    defined, the dispatch, the logged-in fast path and the storing of answers."""

    required_permissions: list = [AllowAny]
    serves_anonymous = True
    # A logged-in user gets the public bytes as they are (a list that is not personal).
    logged_in_public = False
    cached_throttle_refusals: list | None = None  # set when a fast path counted the request

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if issubclass(cls, APIView):
            _refuse_unless_allowed(cls, {})

    @classmethod
    def as_view(cls, **initkwargs):
        _refuse_unless_allowed(cls, initkwargs)
        return super().as_view(**initkwargs)

    def cache_slot(self, request: Request) -> CacheSlot | None:
        """Where the public answer to ``request`` is cached, or None when it is not; raises the
        view's 400 for invalid parameters. ``self.kwargs`` holds the URL's arguments."""
        raise NotImplementedError

    def user_slot(self, request: Request, user_id: int) -> UserSlot | None:
        """Where the logged-in user's own part of the answer is cached, or None when the
        logged-in fast path does not serve this request (the DRF path answers); raises the
        view's 400 for invalid parameters. Views that define it are served logged in."""
        return None

    def user_part(self, request: Request, user) -> Any:
        """The user's part (JSON-ready data), made on a miss by the logged-in fast path, or
        ``MISSING`` to leave the request to the DRF path (which answers any error)."""
        return MISSING

    def user_answer_served(self, request: Request, meta: Any) -> None:
        """Called when a logged-in answer was served from its cached user part, with the
        ``meta`` stored beside the bytes (to record what was served)."""

    def dispatch(self, request, *args, **kwargs):
        if request.method == "GET":
            if "HTTP_AUTHORIZATION" in request.META:
                response = self.logged_in_hit(request)
            elif self.serves_anonymous:
                response = self.anonymous_hit(Request(request))
            else:
                response = None
            if response is not None:
                return response
        return super().dispatch(request, *args, **kwargs)

    def anonymous_hit(self, request: Request) -> HttpResponse | None:
        """The cached answer for an anonymous request, or None to take the DRF path."""
        try:
            slot = self.cache_slot(request)
        except (ApplicationError, APIException):
            return None  # the DRF path answers with the error envelope
        throttles = self.get_throttles()
        if slot is None or not all(isinstance(t, WindowRateThrottle) for t in throttles):
            return None
        if not self._count(request, throttles):
            return None  # the DRF path answers the 429
        cached = local_copies.get(slot.namespace, slot.parts)
        if cached is MISSING:
            body, _ = versioned_get(slot.namespace, slot.parts)
            if not isinstance(body, bytes):
                return None
            cached = CachedBody(body)
            local_copies.put(slot.namespace, slot.parts, cached)
        return self._public_response(request, cached)

    def logged_in_hit(self, request) -> HttpResponse | None:
        """The answer for a logged-in GET made before DRF, or None to take the DRF path.

        The token is checked as the DRF path checks it (the view's one authenticator's
        ``fast_credentials``); its session, its user's row, the public bytes (unless this
        process has a copy) and the user's part are read in one cache round trip. Anything
        missing or refused goes to the DRF path, which answers exactly as it would have
        (a user authenticated here is handed to it as ``request.fast_authenticated``, which
        the authenticator accepts for the same header only).
        """
        if not self.logged_in_public and type(self).user_slot is _CachedBytesBase.user_slot:
            return None
        authenticators = self.get_authenticators()
        fast = getattr(authenticators[0], "fast_credentials", None) if authenticators else None
        if fast is None or len(authenticators) != 1:
            return None
        credentials = fast(request)
        if credentials is None:
            return None
        drf_request = Request(request)
        try:
            public = self.cache_slot(drf_request) if self.serves_anonymous else None
            mine = self.user_slot(drf_request, credentials.user_id)
        except (ApplicationError, APIException):
            return None
        if mine is None and (public is None or not self.logged_in_public):
            return None
        if mine is not None and mine.key is not None and public is None:
            return None
        throttles = self.get_throttles()
        if not all(isinstance(t, WindowRateThrottle) for t in throttles):
            return None
        copy = MISSING if public is None else local_copies.get(public.namespace, public.parts)
        entries = list(credentials.entries)
        if public is not None and copy is MISSING:
            entries.append((public.namespace, public.parts, ()))
        if mine is not None:
            entries.append((mine.namespace, mine.parts, mine.depends_on))
        read = versioned_get_many(entries, credentials.plain_keys)
        if read is None:
            return None
        plain, found = read
        own = len(credentials.entries)
        user = credentials.resolve(plain, found[:own])
        if user is None:
            return None  # refused: the DRF path answers the 401
        drf_request.user = user
        drf_request.auth = credentials.token
        # If the DRF path answers after all, its authentication uses this (the same header).
        request.fast_authenticated = (credentials, user)
        if not self._count(drf_request, throttles):
            return None
        rest = found[own:]
        if public is not None and copy is MISSING:
            body, _ = rest.pop(0)
            if not isinstance(body, bytes):
                return None
            copy = CachedBody(body)
            local_copies.put(public.namespace, public.parts, copy)
        if mine is None:
            response = self._public_response(request, copy)
            meta = None
        else:
            value, version = rest.pop(0)
            if not _is_user_part(value):
                made = self.user_part(drf_request, user)
                if made is MISSING:
                    return None
                value = (_render(made if mine.key else success_body(made)), None)
                versioned_set(mine.namespace, mine.parts, value, mine.ttl, version)
            part, meta = value
            body = part if mine.key is None else with_overlay(copy.raw, mine.key, part)
            if body is None:
                return None
            response = HttpResponse(body, content_type=CONTENT_TYPE)
            for key, header in self.default_response_headers.items():
                response[key] = header
        self.request = drf_request  # what the view reports afterwards sees the user
        self.user_answer_served(drf_request, meta)
        return response

    def _count(self, request: Request, throttles: list) -> bool:
        """Count the request through the local front; whether every throttle admits it.
        Counted here whatever follows: check_throttles gives this verdict, not a second count."""
        self.cached_throttle_refusals = [
            throttle for throttle in throttles if not _allow_counted_here(throttle, request, self)
        ]
        return not self.cached_throttle_refusals

    def _public_response(self, request, cached: "CachedBody") -> HttpResponse:
        compressed = cached.gzip() if accepts_gzip(request) else None
        response = HttpResponse(compressed or cached.raw, content_type=CONTENT_TYPE)
        for key, value in self.default_response_headers.items():
            response[key] = value  # as APIView.finalize_response does
        if compressed is not None:
            response["Content-Encoding"] = "gzip"
            # GZipMiddleware leaves an encoded answer alone; a plain one gets its Vary there,
            # in the same place as on the DRF path.
            patch_vary_headers(response, ("Accept-Encoding",))
        return response

    def check_throttles(self, request):
        if self.cached_throttle_refusals is None:
            super().check_throttles(request)
        elif self.cached_throttle_refusals:
            self.throttled(request, max(t.wait() for t in self.cached_throttle_refusals))

    def bytes_cached(self, slot: CacheSlot, produce) -> HttpResponse:
        """The public answer: the cached bytes (this process's copy first: a logged-in
        request for a public answer gets the anonymous one's bytes at the same cost once
        authenticated), or ``produce()`` (a Response), then stored."""
        copy = local_copies.get(slot.namespace, slot.parts)
        if isinstance(copy, CachedBody):
            return HttpResponse(copy.raw, content_type=CONTENT_TYPE)
        body, version = versioned_get(slot.namespace, slot.parts)
        if isinstance(body, bytes):
            local_copies.put(slot.namespace, slot.parts, CachedBody(body))
            return HttpResponse(body, content_type=CONTENT_TYPE)
        response = produce()
        response.public_cache_slot = (slot, version)
        return response

    def public_bytes(self, slot: CacheSlot, produce_data) -> bytes:
        """The public answer's bytes: this process's copy, the cache's, or the envelope of
        ``produce_data()`` rendered and stored (as the anonymous path would have)."""
        copy = local_copies.get(slot.namespace, slot.parts)
        if isinstance(copy, CachedBody):
            return copy.raw
        body, version = versioned_get(slot.namespace, slot.parts)
        if not isinstance(body, bytes):
            body = _render(success_body(produce_data()))
            versioned_set(slot.namespace, slot.parts, body, slot.ttl, version)
        local_copies.put(slot.namespace, slot.parts, CachedBody(body))
        return body

    def bytes_with_overlay(self, slot: CacheSlot, produce_data, key: str, value) -> HttpResponse:
        """The public answer with ``"key": value`` added to its data object (a logged-in
        user's own part), without parsing or rendering the public part."""
        body = with_overlay(self.public_bytes(slot, produce_data), key, _render(value))
        if body is None:  # not an envelope of an object: made whole, the slow way
            body = _render(success_body({**produce_data(), key: value}))
        return HttpResponse(body, content_type=CONTENT_TYPE)

    def cached_data(self, slot: CacheSlot, produce) -> object:
        """The ``data`` of the cached public answer; on a miss ``produce()``, stored as the
        bytes the public answer would have sent (for requests that add to the public part)."""
        body, version = versioned_get(slot.namespace, slot.parts)
        if isinstance(body, bytes):
            return json.loads(body)["data"]
        data = produce()
        rendered = EnvelopeJSONRenderer().render(success_body(data), CONTENT_TYPE, {})
        versioned_set(slot.namespace, slot.parts, rendered, slot.ttl, version)
        return data

    def user_answer(self, request: Request, produce) -> HttpResponse:
        """The DRF path of a view whose whole answer is the user's (``user_slot`` with no
        ``key``): the cached bytes, else ``produce()``, a Response stored once rendered, or
        ``(body, meta)`` stored as it is. Calls ``user_answer_served`` either way."""
        slot = self.user_slot(request, request.user.pk)
        if slot is None:
            return produce()
        value, version = versioned_get(slot.namespace, slot.parts, depends_on=slot.depends_on)
        if not _is_user_part(value):
            made = produce()
            if isinstance(made, Response):
                made.user_cache_slot = (slot, version)
                return made
            value = made
            versioned_set(slot.namespace, slot.parts, value, slot.ttl, version)
        self.user_answer_served(request, value[1])
        return HttpResponse(value[0], content_type=CONTENT_TYPE)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if not (isinstance(response, Response) and response.status_code == 200):
            return response
        stored = getattr(response, "public_cache_slot", None)
        if stored is not None:
            response.render()
            slot, version = stored
            versioned_set(slot.namespace, slot.parts, bytes(response.content), slot.ttl, version)
        mine = getattr(response, "user_cache_slot", None)
        if mine is not None:
            response.render()
            slot, version = mine
            value = (bytes(response.content), None)
            versioned_set(slot.namespace, slot.parts, value, slot.ttl, version)
        return response


class CachedBytesMixin(_CachedBytesBase):
    """For DRF views whose public answers are cached as bytes; they define ``cache_slot``.
    A logged-in request is served before DRF too when the view sets ``logged_in_public``
    (the same bytes) or defines ``user_slot`` with a ``key`` (the public bytes plus the
    user's part); otherwise it takes the DRF path.

    Refused (ImproperlyConfigured) on a view whose permission classes are not exactly
    ``[AllowAny]``, when the class is defined and when ``as_view`` overrides them.
    """


class UserBytesMixin(_CachedBytesBase):
    """For DRF views of the caller's own data whose answers are cached per user as bytes
    (``user_slot`` with no ``key``, in a namespace the user's writes invalidate); served
    before DRF to a logged-in user on a hit, never to an anonymous client (the DRF path's
    401). The DRF path answers through ``user_answer``.

    Refused (ImproperlyConfigured) on a view whose permission classes are not exactly
    ``[IsAuthenticated]``.
    """

    required_permissions = [IsAuthenticated]
    serves_anonymous = False


def _is_user_part(value) -> bool:
    """Whether a cached user part is laid out as stored: ``(bytes, meta)``."""
    return isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], bytes)


def _render(data) -> bytes:
    return EnvelopeJSONRenderer().render(data, CONTENT_TYPE, {})


_ENVELOPE_HEAD = _render(success_body(None))  # b'{"success":true,"data":null,"message":"OK"}'
_DATA_START = _ENVELOPE_HEAD[: _ENVELOPE_HEAD.index(b"null")]
_DATA_END = _ENVELOPE_HEAD[_ENVELOPE_HEAD.index(b"null") + len(b"null") :]


def with_overlay(body: bytes, key: str, value: bytes) -> bytes | None:
    """``body`` (a rendered success envelope whose data is an object) with ``"key": value``
    as the data object's last member (in place of a last ``"key": null``, the public answer's
    placeholder); None if ``body`` is not laid out so."""
    if not (body.startswith(_DATA_START + b"{") and body.endswith(b"}" + _DATA_END)):
        return None
    end = len(body) - len(_DATA_END) - 1  # the data object's closing brace
    member = _render(key) + b":"
    placeholder = member + b"null"
    if body[:end].endswith(placeholder):
        return body[: end - len(b"null")] + value + body[end:]
    separator = b"," if end > len(_DATA_START) + 1 else b""
    return body[:end] + separator + member + value + body[end:]


def _allow_counted_here(throttle: WindowRateThrottle, request: Request, view) -> bool:
    """The throttle's verdict on a request counted through the local front."""
    counter = throttle.window_counter(request, view)
    if counter is None:
        return True
    return throttle.allow_count(local_counts.count(*counter, limit=throttle.num_requests))
