"""The movies/ routes come from three apps (catalog, tmdb, interactions): each path still
resolves to the view and name it always had, whatever the order the URLconfs are included in."""

import pytest
from django.urls import resolve, reverse

ROUTES = [
    ("/api/v1/movies/", "movie-list", "MovieListView"),
    ("/api/v1/movies/trending/", "movie-trending", "MovieTrendingView"),
    ("/api/v1/movies/popular/", "movie-popular", "MoviePopularView"),
    ("/api/v1/movies/top-rated/", "movie-top-rated", "MovieTopRatedView"),
    ("/api/v1/movies/upcoming/", "movie-upcoming", "MovieUpcomingView"),
    ("/api/v1/movies/now-playing/", "movie-now-playing", "MovieNowPlayingView"),
    ("/api/v1/movies/tmdb/603/", "movie-by-tmdb-id", "MovieByTMDbIdView"),
    ("/api/v1/movies/603/", "movie-detail", "MovieDetailView"),
    ("/api/v1/movies/603/credits/", "movie-credits", "MovieCreditsView"),
    ("/api/v1/movies/603/similar/", "movie-similar", "MovieSimilarView"),
    ("/api/v1/movies/603/like/", "movie-like", "MovieLikeView"),
    ("/api/v1/movies/603/rating/", "movie-rating", "MovieRatingView"),
]


@pytest.mark.parametrize(("path", "name", "view"), ROUTES)
def test_each_movie_path_resolves_to_its_view_and_name(path, name, view):
    match = resolve(path)

    assert match.url_name == name
    assert match.func.view_class.__name__ == view


def test_the_moved_routes_keep_their_urls():
    assert reverse("movie-trending") == "/api/v1/movies/trending/"
    assert reverse("movie-by-tmdb-id", kwargs={"tmdb_id": 603}) == "/api/v1/movies/tmdb/603/"
