"""TV shows, their top-rated list, a show's page and a season with its episodes."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.catalog.filters import ShowFilter
from apps.catalog.models import TMDbListItem
from apps.catalog.rankings import show_top_rated
from apps.catalog.search import search_session
from apps.catalog.selectors import season_detail_get, show_detail_get, show_summary_queryset
from apps.catalog.serializers import (
    CatalogSeasonDetailSerializer,
    CatalogShowDetailSerializer,
    CatalogShowSummarySerializer,
)
from apps.catalog.views.lists import CachedPageMixin


class ShowListView(generics.ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = CatalogShowSummarySerializer
    filterset_class = ShowFilter

    def get_queryset(self):
        return show_summary_queryset()

    def list(self, request, *args, **kwargs):
        if not request.query_params.get("q"):
            return super().list(request, *args, **kwargs)
        with search_session():
            return super().list(request, *args, **kwargs)


class ShowTopRatedView(CachedPageMixin, generics.ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = CatalogShowSummarySerializer

    list_name = "shows_top_rated"

    def list_rows(self, name: str):
        return show_top_rated()

    def rows_of(self, window):
        return [row.show if isinstance(row, TMDbListItem) else row for row in window]


class ShowDetailView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=CatalogShowDetailSerializer, operation_id="show_detail")
    def get(self, request: Request, show_id: int):
        return Response(CatalogShowDetailSerializer(show_detail_get(show_id=show_id)).data)


class SeasonDetailView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=CatalogSeasonDetailSerializer, operation_id="show_season_detail")
    def get(self, request: Request, show_id: int, season_number: int):
        season = season_detail_get(show_id=show_id, season_number=season_number)
        return Response(CatalogSeasonDetailSerializer(season).data)
