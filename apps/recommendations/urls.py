from django.urls import path, register_converter

from apps.recommendations import views


class RecommendationIdConverter:
    """A positive id that fits a database bigint; anything longer is a 404, not a 500."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(RecommendationIdConverter, "recommendations_id")

urlpatterns = [
    path(
        "me/recommendations/", views.MyRecommendationListView.as_view(), name="me-recommendations"
    ),
    path(
        "me/recommendations/<recommendations_id:recommendation_id>/click/",
        views.RecommendationClickView.as_view(),
        name="recommendation-click",
    ),
    path(
        "me/recommendations/<recommendations_id:recommendation_id>/feedback/",
        views.RecommendationFeedbackView.as_view(),
        name="recommendation-feedback",
    ),
    path(
        "movies/<recommendations_id:movie_id>/recommendations/",
        views.MovieRecommendationListView.as_view(),
        name="movie-recommendations",
    ),
    path(
        "recommendations/trending/",
        views.TrendingRecommendationListView.as_view(),
        name="recommendations-trending",
    ),
]
