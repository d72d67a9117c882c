"""The staff analytics API (DESIGN.md): staff only, dates validated, ranges bounded."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.analytics import selectors
from apps.analytics.serializers import (
    DateRangeQuerySerializer,
    EndpointDaySerializer,
    OverviewDaySerializer,
    PerformanceQuerySerializer,
    RecommendationsAnalyticsSerializer,
    TopMoviesQuerySerializer,
    TopMoviesSerializer,
)
from apps.core.permissions import IsStaff

RANGE = [
    OpenApiParameter("from", str, description="YYYY-MM-DD, default 29 days before 'to'"),
    OpenApiParameter("to", str, description="YYYY-MM-DD, default today; at most 92 days in all"),
]


def _query(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class AnalyticsOverviewView(APIView):
    permission_classes = [IsStaff]

    @extend_schema(parameters=RANGE, responses=OverviewDaySerializer(many=True), tags=["analytics"])
    def get(self, request):
        query = _query(DateRangeQuerySerializer, request)
        days = selectors.overview(start=query["start"], end=query["end"])
        return Response(OverviewDaySerializer(days, many=True).data)


class AnalyticsRecommendationsView(APIView):
    permission_classes = [IsStaff]

    @extend_schema(
        parameters=RANGE, responses=RecommendationsAnalyticsSerializer, tags=["analytics"]
    )
    def get(self, request):
        query = _query(DateRangeQuerySerializer, request)
        figures = selectors.recommendations(start=query["start"], end=query["end"])
        return Response(RecommendationsAnalyticsSerializer(figures).data)


class AnalyticsTopMoviesView(APIView):
    permission_classes = [IsStaff]

    @extend_schema(
        parameters=[
            OpenApiParameter("metric", str, enum=sorted(selectors.TOP_METRICS)),
            OpenApiParameter("date", str, description="YYYY-MM-DD, default the latest day"),
            OpenApiParameter("limit", int, description="1 to 100, default 20"),
        ],
        responses=TopMoviesSerializer,
        tags=["analytics"],
    )
    def get(self, request):
        query = _query(TopMoviesQuerySerializer, request)
        day = query.get("date") or selectors.latest_popularity_date()
        movies = (
            selectors.movies_top(metric=query["metric"], day=day, limit=query["limit"])
            if day
            else []
        )
        return Response(
            TopMoviesSerializer({"date": day, "metric": query["metric"], "movies": movies}).data
        )


class AnalyticsPerformanceView(APIView):
    permission_classes = [IsStaff]

    @extend_schema(
        parameters=[*RANGE, OpenApiParameter("endpoint", str, description="one endpoint only")],
        responses=EndpointDaySerializer(many=True),
        tags=["analytics"],
    )
    def get(self, request):
        query = _query(PerformanceQuerySerializer, request)
        rows = selectors.performance(
            start=query["start"], end=query["end"], endpoint=query["endpoint"]
        )
        return Response(EndpointDaySerializer(rows, many=True).data)
