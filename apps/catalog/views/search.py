"""Search across movies, shows or people (``type``), typos forgiven on PostgreSQL."""

from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema
from rest_framework import generics

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

SEARCH_TARGETS = {
    "movie": (movie_summary_queryset, "title", MovieSummarySerializer, "-popularity_score"),
    "show": (show_summary_queryset, "name", CatalogShowSummarySerializer, "-popularity_score"),
    "person": (person_list_popular, "name", CatalogPersonSummarySerializer, "-popularity"),
}
BOOSTS = {"movie": movie_popularity_boost}


class SearchView(generics.ListAPIView):
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

    def list(self, request, *args, **kwargs):
        query = CatalogSearchQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        q, kind = query.validated_data["q"], query.validated_data["type"]
        queryset_of, field, serializer_class, popularity = SEARCH_TARGETS[kind]
        with search_session():
            boost = BOOSTS[kind]() if kind in BOOSTS else None
            results = text_search(
                queryset_of(), field=field, q=q, tiebreak=[popularity, "id"], boost=boost
            )
            window = self.paginate_queryset(results)
            data = serializer_class(window, many=True).data
        return self.get_paginated_response(data)
