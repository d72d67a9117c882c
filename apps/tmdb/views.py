"""The TMDb-id lookup of a movie: the catalog's detail, fetched from TMDb when we lack it."""

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.views import APIView

from apps.catalog.selectors import movie_id_by_tmdb_id
from apps.catalog.serializers import CatalogMovieDetailSerializer
from apps.catalog.views.movies import MovieDetailMixin
from apps.core.schema import REACHES_TMDB
from apps.tmdb.services import movie_fetch_by_tmdb_id


class MovieByTMDbIdView(MovieDetailMixin, APIView):
    """A movie by its TMDb id; fetched from TMDb on demand when the database lacks it."""

    permission_classes = [AllowAny]

    def cache_slot(self, request: Request) -> None:
        return None  # the slot is the movie's, known only after looking the TMDb id up

    @extend_schema(
        responses=CatalogMovieDetailSerializer,
        operation_id="movie_by_tmdb_id",
        extensions=REACHES_TMDB,
    )
    def get(self, request: Request, tmdb_id: int):
        movie_id = movie_id_by_tmdb_id(tmdb_id=tmdb_id)
        if movie_id is None:
            movie_id = movie_fetch_by_tmdb_id(tmdb_id=tmdb_id).pk
        return self.movie_response(request, movie_id)
