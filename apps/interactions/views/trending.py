"""movies/trending/: TMDb's trending snapshot when one was synced, else trending computed from
our interactions (apps.interactions.trending), else the catalog's popular ranking.

It lives here, not in the catalog, because the computation reads interactions; it keeps the
catalog's URL, name, cache namespace and answer shape.
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.permissions import AllowAny

from apps.catalog.cache import TRENDING_TTL
from apps.catalog.selectors import movies_in_order
from apps.catalog.serializers import MovieSummarySerializer
from apps.catalog.views.lists import CachedPageMixin
from apps.interactions.serializers import TrendingQuerySerializer
from apps.interactions.trending import movie_trending_list


class MovieTrendingView(CachedPageMixin, generics.ListAPIView):
    """The latest TMDb snapshot of the list, in TMDb's order; else a local ranking."""

    permission_classes = [AllowAny]
    serializer_class = MovieSummarySerializer

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "window", str, enum=["day", "week"], description="Trending window (default week)."
            )
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def list_key(self, request) -> tuple[str, int]:
        query = TrendingQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return f"trending_{query.validated_data['window']}", TRENDING_TTL

    def list_rows(self, name: str):
        return movie_trending_list(window=name.removeprefix("trending_"))

    def rows_of(self, window: list) -> list:
        """Trending ids stand for their movies (two queries for the page); snapshot items for
        their movie."""
        if window and isinstance(window[0], int):
            return movies_in_order(ids=window)
        return super().rows_of(window)
