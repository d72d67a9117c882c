from django.urls import path

from apps.tmdb.views import MovieByTMDbIdView, PersonDetailView

# "tmdb" is no id, so this never competes with the catalog's movies/<id>/ routes
# (apps/core/tests/test_movie_routes.py resolves each path of the movies/ family).
urlpatterns = [
    path("movies/tmdb/<id:tmdb_id>/", MovieByTMDbIdView.as_view(), name="movie-by-tmdb-id"),
    path("people/<id:person_id>/", PersonDetailView.as_view(), name="person-detail"),
]
