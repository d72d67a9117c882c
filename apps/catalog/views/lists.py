"""Ranked movie lists and genres, cached as rendered bytes (see apps.catalog.responses)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics

from apps.catalog.cache import (
    GENRES_NAMESPACE,
    GENRES_TTL,
    LIST_TTL,
    LISTS_NAMESPACE,
    TRENDING_TTL,
)
from apps.catalog.models import TMDbListItem
from apps.catalog.rankings import movie_ranked_list
from apps.catalog.responses import CachedBytesMixin
from apps.catalog.selectors import genre_list
from apps.catalog.serializers import (
    CatalogTrendingQuerySerializer,
    GenreSerializer,
    MovieSummarySerializer,
)
from apps.core.pagination import DEFAULT_PER_PAGE, MAX_PAGE, MAX_PER_PAGE, positive_int_param


class CachedPageMixin(CachedBytesMixin):
    """A paginated list whose pages are cached as bytes under ``(name, page, per_page)``."""

    filter_backends = []
    cache_namespace = LISTS_NAMESPACE
    cache_ttl = LIST_TTL

    def cached_page(self, request, name: str, produce_queryset, ttl: int | None = None):
        page = positive_int_param(request, "page", 1, MAX_PAGE)
        per_page = positive_int_param(request, "per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE)

        def produce():
            window = self.paginate_queryset(produce_queryset())
            return self.get_paginated_response(
                self.get_serializer(self.rows_of(window), many=True).data
            )

        return self.bytes_cached(
            namespace=self.cache_namespace,
            parts=(name, page, per_page),
            ttl=ttl or self.cache_ttl,
            produce=produce,
        )

    def rows_of(self, window: list) -> list:
        """Snapshot items stand for their movie."""
        return [row.movie if isinstance(row, TMDbListItem) else row for row in window]


class RankedMovieListView(CachedPageMixin, generics.ListAPIView):
    """The latest TMDb snapshot of the list, in TMDb's order; else a local ranking."""

    serializer_class = MovieSummarySerializer
    list_name = ""

    def list(self, request, *args, **kwargs):
        return self.cached_page(
            request, self.list_name, lambda: movie_ranked_list(name=self.list_name)
        )


class MoviePopularView(RankedMovieListView):
    list_name = "popular"


class MovieTopRatedView(RankedMovieListView):
    list_name = "top_rated"


class MovieUpcomingView(RankedMovieListView):
    list_name = "upcoming"


class MovieNowPlayingView(RankedMovieListView):
    list_name = "now_playing"


class MovieTrendingView(RankedMovieListView):
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "window", str, enum=["day", "week"], description="Trending window (default week)."
            )
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def list(self, request, *args, **kwargs):
        query = CatalogTrendingQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        name = f"trending_{query.validated_data['window']}"
        return self.cached_page(
            request, name, lambda: movie_ranked_list(name=name), ttl=TRENDING_TTL
        )


class GenreListView(CachedPageMixin, generics.ListAPIView):
    serializer_class = GenreSerializer
    cache_namespace = GENRES_NAMESPACE
    cache_ttl = GENRES_TTL

    def list(self, request, *args, **kwargs):
        return self.cached_page(request, "genres", genre_list)
