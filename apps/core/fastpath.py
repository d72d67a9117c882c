"""The anonymous fast path: public answers served as cached bytes, before DRF, from a copy the
process keeps, with the anonymous throttle counted in the process too.

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
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.cache import MISSING, cache_incr, namespace_listen, versioned_get, versioned_set
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
    """

    max_windows = 10_000

    def __init__(self, sync_seconds: float = 0.05) -> None:
        self.sync_seconds = sync_seconds
        self._windows: dict[str, _Window] = {}
        self._lock = threading.Lock()

    def count(self, key: str, ttl: int) -> int:
        """Count one request in window ``key``; return the window's estimated total."""
        now = time.monotonic()
        with self._lock:
            window = self._windows.get(key)
            if window is None:
                window = self._windows[key] = self._new_window(now, ttl)
            window.pending += 1
            estimate = window.synced + window.in_flight + window.pending
            if window.in_flight or now - window.synced_at < self.sync_seconds:
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


def _refusals(view_class: type, overrides: dict) -> list[str]:
    permissions = list(overrides.get("permission_classes", view_class.permission_classes))
    problems = []
    if permissions != [AllowAny]:
        names = ", ".join(getattr(p, "__name__", repr(p)) for p in permissions)
        problems.append(f"its permission classes are [{names}], not exactly [AllowAny]")
    for name in _PERMISSION_METHODS:
        if name in overrides or getattr(view_class, name) is not getattr(APIView, name):
            problems.append(f"it overrides {name}()")
    return problems


def _refuse_unless_public(view_class: type, overrides: dict) -> None:
    problems = _refusals(view_class, overrides)
    if problems:
        raise ImproperlyConfigured(
            f"{view_class.__module__}.{view_class.__qualname__} cannot serve cached public "
            f"bytes before DRF: {'; '.join(problems)} (see apps.core.fastpath)."
        )


class CachedBytesMixin:
    """For DRF views whose public answers are cached as bytes; they define ``cache_slot``.

    Refused (ImproperlyConfigured) on a view whose permission classes are not exactly
    ``[AllowAny]``, when the class is defined and when ``as_view`` overrides them.
    """

    cached_throttle_refusals: list | None = None  # set when anonymous_hit counted the request

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if issubclass(cls, APIView):
            _refuse_unless_public(cls, {})

    @classmethod
    def as_view(cls, **initkwargs):
        _refuse_unless_public(cls, initkwargs)
        return super().as_view(**initkwargs)

    def cache_slot(self, request: Request) -> CacheSlot | None:
        """Where the public answer to ``request`` is cached, or None when it is not; raises the
        view's 400 for invalid parameters. ``self.kwargs`` holds the URL's arguments."""
        raise NotImplementedError

    def dispatch(self, request, *args, **kwargs):
        if request.method == "GET" and "HTTP_AUTHORIZATION" not in request.META:
            response = self.anonymous_hit(Request(request))
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
        # Counted here whatever follows: check_throttles gives this verdict, not a second count.
        self.cached_throttle_refusals = [
            throttle for throttle in throttles if not _allow_counted_here(throttle, request, self)
        ]
        if self.cached_throttle_refusals:
            return None  # the DRF path answers the 429
        cached = local_copies.get(slot.namespace, slot.parts)
        if cached is MISSING:
            body, _ = versioned_get(slot.namespace, slot.parts)
            if not isinstance(body, bytes):
                return None
            cached = CachedBody(body)
            local_copies.put(slot.namespace, slot.parts, cached)
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

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        stored = getattr(response, "public_cache_slot", None)
        if stored is not None and isinstance(response, Response) and response.status_code == 200:
            response.render()
            slot, version = stored
            versioned_set(slot.namespace, slot.parts, bytes(response.content), slot.ttl, version)
        return response


def _render(data) -> bytes:
    return EnvelopeJSONRenderer().render(data, CONTENT_TYPE, {})


_ENVELOPE_HEAD = _render(success_body(None))  # b'{"success":true,"data":null,"message":"OK"}'
_DATA_START = _ENVELOPE_HEAD[: _ENVELOPE_HEAD.index(b"null")]
_DATA_END = _ENVELOPE_HEAD[_ENVELOPE_HEAD.index(b"null") + len(b"null") :]


def with_overlay(body: bytes, key: str, value: bytes) -> bytes | None:
    """``body`` (a rendered success envelope whose data is an object) with ``"key": value``
    added as the data object's last member; None if ``body`` is not laid out so."""
    if not (body.startswith(_DATA_START + b"{") and body.endswith(b"}" + _DATA_END)):
        return None
    end = len(body) - len(_DATA_END) - 1  # the data object's closing brace
    separator = b"," if end > len(_DATA_START) + 1 else b""
    member = _render(key) + b":" + value
    return body[:end] + separator + member + body[end:]


def _allow_counted_here(throttle: WindowRateThrottle, request: Request, view) -> bool:
    """The throttle's verdict on a request counted through the local front."""
    counter = throttle.window_counter(request, view)
    return counter is None or throttle.allow_count(local_counts.count(*counter))
