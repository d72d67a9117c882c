"""The staff dashboard at /admin/analytics/: the staff API's figures drawn as charts.

Server-rendered: the figures are computed here with the same selectors as the API and handed to
the page as JSON (``json_script``); ``static/analytics/dashboard.js`` draws them as SVG. No asset
comes from outside (no chart library: the script draws the few shapes itself), and the page is
one column on a phone. The date range is a plain GET form.
"""

from django.contrib.admin.views.decorators import staff_member_required
from django.shortcuts import render

from apps.analytics import selectors
from apps.analytics.serializers import (
    DateRangeQuerySerializer,
    EndpointDaySerializer,
    OverviewDaySerializer,
    RecommendationsAnalyticsSerializer,
    TopMovieSerializer,
)

LATENCY_ENDPOINTS = 8


def _latest_per_endpoint(rows: list[dict]) -> list[dict]:
    """The most recent day of each of the busiest endpoints (rows come busiest first)."""
    latest: dict[str, dict] = {}
    for row in rows:
        if row["endpoint"] not in latest or row["date"] > latest[row["endpoint"]]["date"]:
            latest[row["endpoint"]] = row
    return list(latest.values())[:LATENCY_ENDPOINTS]


@staff_member_required
def analytics_dashboard(request):
    query = DateRangeQuerySerializer(data=request.GET)
    errors = {}
    if not query.is_valid():
        errors = {key: " ".join(str(m) for m in messages) for key, messages in query.errors.items()}
        query = DateRangeQuerySerializer(data={})
        query.is_valid(raise_exception=True)
    start, end = query.validated_data["start"], query.validated_data["end"]
    day = selectors.latest_popularity_date()
    top = (
        selectors.movies_top(metric="views", day=min(day, end), limit=10) if day is not None else []
    )
    figures = {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "overview": OverviewDaySerializer(selectors.overview(start=start, end=end), many=True).data,
        "recommendations": RecommendationsAnalyticsSerializer(
            selectors.recommendations(start=start, end=end)
        ).data,
        "top_movies": TopMovieSerializer(top, many=True).data,
        "top_movies_date": min(day, end).isoformat() if day else None,
        "latency": EndpointDaySerializer(
            _latest_per_endpoint(selectors.performance(start=start, end=end)), many=True
        ).data,
    }
    return render(
        request,
        "analytics/dashboard.html",
        {"figures": figures, "start": start, "end": end, "errors": errors},
    )
