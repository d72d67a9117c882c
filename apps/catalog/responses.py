"""Hot public answers cached as rendered bytes.

A view builds a cache key from validated parameters only (never the raw query string, so
junk parameters cannot fill the cache), answers a hit with the stored bytes without touching
the database, and on a miss stores the body DRF rendered. The stored bytes are the body an
uncached request gets, byte for byte. The cache is reached through apps.core.cache, so an
outage is a miss and the answer comes from the database.
"""

import json

from django.http import HttpResponse
from rest_framework.response import Response

from apps.core.cache import versioned_get, versioned_set
from apps.core.envelope import success_body
from apps.core.renderers import EnvelopeJSONRenderer

CONTENT_TYPE = "application/json"


class CachedBytesMixin:
    """For APIView subclasses: ``bytes_cached(...)`` around the code that builds a response."""

    def bytes_cached(self, *, namespace: str, parts: tuple, ttl: int, produce) -> HttpResponse:
        body, version = versioned_get(namespace, parts)
        if isinstance(body, bytes):
            return HttpResponse(body, content_type=CONTENT_TYPE)
        response = produce()
        response.catalog_cache_slot = (namespace, parts, ttl, version)
        return response

    def cached_data(self, *, namespace: str, parts: tuple, ttl: int, produce) -> object:
        """The ``data`` of the cached envelope; on a miss ``produce()``, stored as the bytes
        the cached view would have sent (for requests that add to the public part)."""
        body, version = versioned_get(namespace, parts)
        if isinstance(body, bytes):
            return json.loads(body)["data"]
        data = produce()
        rendered = EnvelopeJSONRenderer().render(success_body(data), CONTENT_TYPE, {})
        versioned_set(namespace, parts, rendered, ttl, version)
        return data

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        slot = getattr(response, "catalog_cache_slot", None)
        if slot is not None and isinstance(response, Response) and response.status_code == 200:
            response.render()
            namespace, parts, ttl, version = slot
            versioned_set(namespace, parts, bytes(response.content), ttl, version)
        return response
