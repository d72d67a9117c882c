"""Ranked movie lists and genres, cached as rendered bytes (see apps.core.fastpath)."""

from rest_framework import generics
from rest_framework.permissions import AllowAny

from apps.catalog.cache import GENRES_NAMESPACE, GENRES_TTL, LIST_TTL, LISTS_NAMESPACE
from apps.catalog.models import TMDbListItem
from apps.catalog.rankings import movie_ranked_list
from apps.catalog.selectors import genre_list
from apps.catalog.serializers import GenreSerializer, MovieSummarySerializer
from apps.core.fastpath import CachedBytesMixin, CacheSlot
from apps.core.pagination import DEFAULT_PER_PAGE, MAX_PAGE, MAX_PER_PAGE, positive_int_param


class CachedPageMixin(CachedBytesMixin):
    """A paginated list whose pages are cached as bytes under ``(name, page, per_page)``."""

    filter_backends = []
    cache_namespace = LISTS_NAMESPACE
    cache_ttl = LIST_TTL
    list_name = ""

    def list_key(self, request) -> tuple[str, int]:
        """The list's name (the cache key's first part) and its TTL, for this request."""
        return self.list_name, self.cache_ttl

    def list_rows(self, name: str):
        """The rows of the named list: a queryset or a list, in order."""
        raise NotImplementedError

    def cache_slot(self, request) -> CacheSlot:
        name, ttl = self.list_key(request)
        page = positive_int_param(request, "page", 1, MAX_PAGE)
        per_page = positive_int_param(request, "per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE)
        return CacheSlot(self.cache_namespace, (name, page, per_page), ttl)

    def list(self, request, *args, **kwargs):
        slot = self.cache_slot(request)

        def produce():
            window = self.paginate_queryset(self.list_rows(slot.parts[0]))
            return self.get_paginated_response(
                self.get_serializer(self.rows_of(window), many=True).data
            )

        return self.bytes_cached(slot, produce)

    def rows_of(self, window: list) -> list:
        """Snapshot items stand for their movie."""
        return [row.movie if isinstance(row, TMDbListItem) else row for row in window]


class RankedMovieListView(CachedPageMixin, generics.ListAPIView):
    """The latest TMDb snapshot of the list, in TMDb's order; else a local ranking."""

    permission_classes = [AllowAny]
    serializer_class = MovieSummarySerializer
    logged_in_public = True  # not personal: a logged-in user gets the same bytes, before DRF

    def list_rows(self, name: str):
        return movie_ranked_list(name=name)


class MoviePopularView(RankedMovieListView):
    list_name = "popular"


class MovieTopRatedView(RankedMovieListView):
    list_name = "top_rated"


class MovieUpcomingView(RankedMovieListView):
    list_name = "upcoming"


class MovieNowPlayingView(RankedMovieListView):
    list_name = "now_playing"


class GenreListView(CachedPageMixin, generics.ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = GenreSerializer
    cache_namespace = GENRES_NAMESPACE
    cache_ttl = GENRES_TTL
    logged_in_public = True

    list_name = "genres"

    def list_rows(self, name: str):
        return genre_list()
