from django.urls import path

from apps.catalog.views import lists, movies, people, search, shows

urlpatterns = [
    path("movies/", movies.MovieListView.as_view(), name="movie-list"),
    path("movies/popular/", lists.MoviePopularView.as_view(), name="movie-popular"),
    path("movies/top-rated/", lists.MovieTopRatedView.as_view(), name="movie-top-rated"),
    path("movies/upcoming/", lists.MovieUpcomingView.as_view(), name="movie-upcoming"),
    path("movies/now-playing/", lists.MovieNowPlayingView.as_view(), name="movie-now-playing"),
    path("movies/<id:movie_id>/", movies.MovieDetailView.as_view(), name="movie-detail"),
    path("movies/<id:movie_id>/credits/", movies.MovieCreditsView.as_view(), name="movie-credits"),
    path("movies/<id:movie_id>/similar/", movies.MovieSimilarView.as_view(), name="movie-similar"),
    path("genres/", lists.GenreListView.as_view(), name="genre-list"),
    path("people/popular/", people.PersonPopularView.as_view(), name="person-popular"),
    path("shows/", shows.ShowListView.as_view(), name="show-list"),
    path("shows/top-rated/", shows.ShowTopRatedView.as_view(), name="show-top-rated"),
    path("shows/<id:show_id>/", shows.ShowDetailView.as_view(), name="show-detail"),
    path(
        "shows/<id:show_id>/seasons/<id:season_number>/",
        shows.SeasonDetailView.as_view(),
        name="show-season-detail",
    ),
    path("search/", search.SearchView.as_view(), name="search"),
]
