"""Search across movies, shows or people (``type``), typos forgiven on PostgreSQL."""

import hashlib

from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema
from rest_framework import generics
from rest_framework.permissions import AllowAny

from apps.catalog.cache import LISTS_NAMESPACE, SEARCH_TTL
from apps.catalog.reporting import search_report
from apps.catalog.search import movie_popularity_boost, search_session, text_search
from apps.catalog.selectors import (
    movie_summary_queryset,
    person_list_popular,
    show_summary_queryset,
)
from apps.catalog.serializers import (
    CatalogPersonSummarySerializer,
    CatalogSearchQuerySerializer,
    CatalogShowSummarySerializer,
    MovieSummarySerializer,
)
from apps.core.fastpath import CachedBytesMixin, CacheSlot
from apps.core.pagination import DEFAULT_PER_PAGE, MAX_PAGE, MAX_PER_PAGE, positive_int_param

SEARCH_TARGETS = {
    "movie": (movie_summary_queryset, "title", MovieSummarySerializer, "-popularity_score"),
    "show": (show_summary_queryset, "name", CatalogShowSummarySerializer, "-popularity_score"),
    "person": (person_list_popular, "name", CatalogPersonSummarySerializer, "-popularity"),
}
BOOSTS = {"movie": movie_popularity_boost}


class SearchView(CachedBytesMixin, generics.ListAPIView):
    """Answers are cached as bytes per type, query (as searched: trimmed), page and page size,
    in the lists' namespace, so whatever drops the lists drops them too."""

    permission_classes = [AllowAny]
    filter_backends = []
    serializer_class = MovieSummarySerializer

    @extend_schema(
        operation_id="search",
        parameters=[
            OpenApiParameter("q", str, required=True, description="1 to 200 characters."),
            OpenApiParameter("type", str, enum=list(SEARCH_TARGETS), description="Default movie."),
        ],
        responses=PolymorphicProxySerializer(
            component_name="CatalogSearchResult",
            serializers=[
                MovieSummarySerializer,
                CatalogShowSummarySerializer,
                CatalogPersonSummarySerializer,
            ],
            resource_type_field_name=None,
            many=True,
        ),
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        if response.status_code == 200:
            q = (self.request.GET.get("q") or "").strip()
            search_report(
                self.request, response, query=q, kind=self.request.GET.get("type", "movie")
            )
        return response

    def search_slot(self, request) -> tuple[CacheSlot, str, str]:
        """The validated query and type, and where their answer is cached (the query by its
        digest: any text up to 200 characters, kept out of the cache key)."""
        query = CatalogSearchQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        page = positive_int_param(request, "page", 1, MAX_PAGE)
        per_page = positive_int_param(request, "per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE)
        q, kind = query.validated_data["q"].strip(), query.validated_data["type"]
        digest = hashlib.sha256(q.encode()).hexdigest()[:32]
        parts = ("search", kind, digest, page, per_page)
        return CacheSlot(LISTS_NAMESPACE, parts, SEARCH_TTL), q, kind

    def cache_slot(self, request) -> CacheSlot:
        return self.search_slot(request)[0]

    def list(self, request, *args, **kwargs):
        slot, q, kind = self.search_slot(request)
        return self.bytes_cached(slot, lambda: self.search_response(q, kind))

    def search_response(self, q: str, kind: str):
        queryset_of, field, serializer_class, popularity = SEARCH_TARGETS[kind]
        with search_session():
            boost = BOOSTS[kind]() if kind in BOOSTS else None
            results = text_search(
                queryset_of(), field=field, q=q, tiebreak=[popularity, "id"], boost=boost
            )
            window = self.paginate_queryset(results)
            data = serializer_class(window, many=True).data
        return self.get_paginated_response(data)
