from django.urls import path

from apps.analytics import views

urlpatterns = [
    path("analytics/overview/", views.AnalyticsOverviewView.as_view(), name="analytics-overview"),
    path(
        "analytics/recommendations/",
        views.AnalyticsRecommendationsView.as_view(),
        name="analytics-recommendations",
    ),
    path(
        "analytics/movies/top/", views.AnalyticsTopMoviesView.as_view(), name="analytics-movies-top"
    ),
    path(
        "analytics/performance/",
        views.AnalyticsPerformanceView.as_view(),
        name="analytics-performance",
    ),
]
