from django.urls import path

from apps.interactions.views import episode_reviews, lists, me
from apps.interactions.views import movie_interactions as movies
from apps.interactions.views.trending import MovieTrendingView

urlpatterns = [
    path("movies/trending/", MovieTrendingView.as_view(), name="movie-trending"),
    path(
        "movies/<id:movie_id>/favorite/",
        movies.MovieFavoriteView.as_view(),
        name="movie-favorite",
    ),
    path(
        "movies/tmdb/<id:tmdb_id>/favorite/",
        movies.MovieFavoriteByTMDbIdView.as_view(),
        name="movie-favorite-by-tmdb-id",
    ),
    path(
        "movies/<id:movie_id>/watchlist/",
        movies.MovieWatchlistView.as_view(),
        name="movie-watchlist",
    ),
    path(
        "movies/<id:movie_id>/like/",
        movies.MovieLikeView.as_view(),
        name="movie-like",
    ),
    path(
        "movies/<id:movie_id>/dislike/",
        movies.MovieDislikeView.as_view(),
        name="movie-dislike",
    ),
    path(
        "movies/<id:movie_id>/rating/",
        movies.MovieRatingView.as_view(),
        name="movie-rating",
    ),
    path(
        "movies/<id:movie_id>/view/",
        movies.MovieViewRecordView.as_view(),
        name="movie-view",
    ),
    path(
        "movies/<id:movie_id>/share/",
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
    path("lists/<id:list_id>/", lists.UserListDetailView.as_view(), name="user-list"),
    path(
        "lists/<id:list_id>/items/",
        lists.UserListItemCollectionView.as_view(),
        name="user-list-items",
    ),
    path(
        "lists/<id:list_id>/items/<id:movie_id>/",
        lists.UserListItemDetailView.as_view(),
        name="user-list-item",
    ),
    path(
        "episodes/<id:episode_id>/reviews/",
        episode_reviews.EpisodeReviewCollectionView.as_view(),
        name="episode-reviews",
    ),
]
