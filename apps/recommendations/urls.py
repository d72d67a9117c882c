from django.urls import path

from apps.recommendations import views

urlpatterns = [
    path(
        "me/recommendations/", views.MyRecommendationListView.as_view(), name="me-recommendations"
    ),
    path(
        "me/recommendations/<id:recommendation_id>/click/",
        views.RecommendationClickView.as_view(),
        name="recommendation-click",
    ),
    path(
        "me/recommendations/<id:recommendation_id>/feedback/",
        views.RecommendationFeedbackView.as_view(),
        name="recommendation-feedback",
    ),
    path(
        "movies/<id:movie_id>/recommendations/",
        views.MovieRecommendationListView.as_view(),
        name="movie-recommendations",
    ),
    path(
        "recommendations/trending/",
        views.TrendingRecommendationListView.as_view(),
        name="recommendations-trending",
    ),
]
