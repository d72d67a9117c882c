"""The TMDb-id lookup of a movie: the catalog's detail, fetched from TMDb when we lack it."""

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.catalog.selectors import movie_id_by_tmdb_id, person_detail_get
from apps.catalog.serializers import CatalogMovieDetailSerializer, CatalogPersonDetailSerializer
from apps.catalog.views.movies import MovieDetailMixin
from apps.core.schema import REACHES_TMDB
from apps.tmdb.services import movie_fetch_by_tmdb_id, person_details_on_demand


class MovieByTMDbIdView(MovieDetailMixin, APIView):
    """A movie by its TMDb id; fetched from TMDb on demand when the database lacks it or has
    only the MovieLens stub (never synced)."""

    permission_classes = [AllowAny]

    def cache_slot(self, request: Request) -> None:
        return None  # the slot is the movie's, known only after looking the TMDb id up

    @extend_schema(
        responses=CatalogMovieDetailSerializer,
        operation_id="movie_by_tmdb_id",
        extensions=REACHES_TMDB,
    )
    def get(self, request: Request, tmdb_id: int):
        # Inactive: a 404 without asking TMDb. Missing, or never synced (a MovieLens movie):
        # fetched from TMDb now, as the client waits for it.
        movie_id_by_tmdb_id(tmdb_id=tmdb_id)
        return self.movie_response(request, movie_fetch_by_tmdb_id(tmdb_id=tmdb_id).pk)


class PersonDetailView(APIView):
    """A person with their known-for movies; their details (biography, birthday, images,
    movie credits) are fetched from TMDb first if they never were."""

    permission_classes = [AllowAny]

    @extend_schema(
        responses=CatalogPersonDetailSerializer,
        operation_id="person_detail",
        extensions=REACHES_TMDB,
    )
    def get(self, request: Request, person_id: int):
        person = person_detail_get(person_id=person_id)
        if person_details_on_demand(person=person):
            person = person_detail_get(person_id=person_id)
        return Response(CatalogPersonDetailSerializer(person).data)
