from django.urls import path, register_converter

from apps.interactions.views import episode_reviews, lists, me
from apps.interactions.views import movie_interactions as movies


class DatabaseIdConverter:
    """A positive id that fits a database bigint; anything longer is a 404, not a 500."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(DatabaseIdConverter, "interactions_id")

urlpatterns = [
    path(
        "movies/<interactions_id:movie_id>/favorite/",
        movies.MovieFavoriteView.as_view(),
        name="movie-favorite",
    ),
    path(
        "movies/<interactions_id:movie_id>/watchlist/",
        movies.MovieWatchlistView.as_view(),
        name="movie-watchlist",
    ),
    path(
        "movies/<interactions_id:movie_id>/like/",
        movies.MovieLikeView.as_view(),
        name="movie-like",
    ),
    path(
        "movies/<interactions_id:movie_id>/dislike/",
        movies.MovieDislikeView.as_view(),
        name="movie-dislike",
    ),
    path(
        "movies/<interactions_id:movie_id>/rating/",
        movies.MovieRatingView.as_view(),
        name="movie-rating",
    ),
    path(
        "movies/<interactions_id:movie_id>/view/",
        movies.MovieViewRecordView.as_view(),
        name="movie-view",
    ),
    path(
        "movies/<interactions_id:movie_id>/share/",
        movies.MovieShareView.as_view(),
        name="movie-share",
    ),
    path("me/favorites/", me.MyFavoriteListView.as_view(), name="me-favorites"),
    path("me/watchlist/", me.MyWatchlistView.as_view(), name="me-watchlist"),
    path("me/ratings/", me.MyRatingListView.as_view(), name="me-ratings"),
    path("me/history/", me.MyHistoryView.as_view(), name="me-history"),
    path("me/stats/", me.MyStatsView.as_view(), name="me-stats"),
    path("lists/", lists.UserListCollectionView.as_view(), name="user-lists"),
    path("lists/shared/<str:slug>/", lists.UserListSharedView.as_view(), name="user-list-shared"),
    path(
        "lists/shared/<str:slug>/items/",
        lists.UserListSharedItemsView.as_view(),
        name="user-list-shared-items",
    ),
    path("lists/<interactions_id:list_id>/", lists.UserListDetailView.as_view(), name="user-list"),
    path(
        "lists/<interactions_id:list_id>/items/",
        lists.UserListItemCollectionView.as_view(),
        name="user-list-items",
    ),
    path(
        "lists/<interactions_id:list_id>/items/<interactions_id:movie_id>/",
        lists.UserListItemDetailView.as_view(),
        name="user-list-item",
    ),
    path(
        "episodes/<interactions_id:episode_id>/reviews/",
        episode_reviews.EpisodeReviewCollectionView.as_view(),
        name="episode-reviews",
    ),
]
