"""Hot public answers cached as rendered bytes.

A view says where the public answer to a request is cached (``cache_slot``: a namespace and
key parts built from validated parameters only, never the raw query string, so junk parameters
cannot fill the cache), answers a hit with the stored bytes without touching the database, and
on a miss stores the body DRF rendered. The stored bytes are the body an uncached request gets,
byte for byte. The cache is reached through apps.core.cache, so an outage is a miss and the
answer comes from the database.

Anonymous hits skip DRF entirely (``dispatch``) and are answered from a process-local copy of
the cached bytes (fresh for CACHE_LOCAL_SECONDS), their throttle counted through the local
front of the shared counters (apps.core.throttling.LocalWindowCounts): on the hot path a hit
costs no round trip at all. The stored bytes go out with the headers DRF would have added.
Anything else (a token, a miss, invalid parameters, a spent throttle window) takes the ordinary
DRF path, which answers exactly as it would have; a request counted here is not counted again
(a refusal here is DRF's 429).
"""

import json
from dataclasses import dataclass

from django.http import HttpResponse
from rest_framework.exceptions import APIException
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.cache import MISSING, local_get, local_put, versioned_get, versioned_set
from apps.core.envelope import success_body
from apps.core.exceptions import ApplicationError
from apps.core.renderers import EnvelopeJSONRenderer
from apps.core.throttling import WindowRateThrottle

CONTENT_TYPE = "application/json"


@dataclass(frozen=True)
class CacheSlot:
    namespace: str
    parts: tuple
    ttl: int


class CachedBytesMixin:
    """For APIView subclasses whose public answers are cached; they define ``cache_slot``."""

    cached_throttle_refusals: list | None = None  # set when anonymous_hit counted the request

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
            throttle for throttle in throttles if not throttle.allow_cached(request, self)
        ]
        if self.cached_throttle_refusals:
            return None  # the DRF path answers the 429
        body = local_get(slot.namespace, slot.parts)
        if body is MISSING:
            body, _ = versioned_get(slot.namespace, slot.parts)
            if not isinstance(body, bytes):
                return None
            local_put(slot.namespace, slot.parts, body)
        response = HttpResponse(body, content_type=CONTENT_TYPE)
        for key, value in self.default_response_headers.items():
            response[key] = value  # as APIView.finalize_response does
        return response

    def check_throttles(self, request):
        if self.cached_throttle_refusals is None:
            super().check_throttles(request)
        elif self.cached_throttle_refusals:
            self.throttled(request, max(t.wait() for t in self.cached_throttle_refusals))

    def bytes_cached(self, slot: CacheSlot, produce) -> HttpResponse:
        """The public answer: the cached bytes, or ``produce()`` (a Response), then stored."""
        body, version = versioned_get(slot.namespace, slot.parts)
        if isinstance(body, bytes):
            return HttpResponse(body, content_type=CONTENT_TYPE)
        response = produce()
        response.catalog_cache_slot = (slot, version)
        return response

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
        stored = getattr(response, "catalog_cache_slot", None)
        if stored is not None and isinstance(response, Response) and response.status_code == 200:
            response.render()
            slot, version = stored
            versioned_set(slot.namespace, slot.parts, bytes(response.content), slot.ttl, version)
        return response
