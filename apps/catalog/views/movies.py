"""Movie list, detail, credits and similar (the TMDb-id lookup is the tmdb app's)."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.catalog.cache import (
    DETAIL_TTL,
    LIST_TTL,
    LISTS_NAMESPACE,
    USER_PART_TTL,
    movie_namespace,
    user_movies_namespace,
)
from apps.catalog.filters import MovieFilter, movie_filter_key
from apps.catalog.hooks import movie_user_state
from apps.catalog.models import Movie
from apps.catalog.reporting import movie_view_report, search_report
from apps.catalog.search import search_session
from apps.catalog.selectors import (
    KnownTotal,
    movie_active_id,
    movie_credits,
    movie_detail_get,
    movie_similar_ids,
    movie_summary_queryset,
    movies_in_order,
)
from apps.catalog.serializers import (
    CatalogCreditsSerializer,
    CatalogMovieDetailSerializer,
    CatalogUserStateSerializer,
    MovieSummarySerializer,
)
from apps.catalog.signals import movie_details_missing
from apps.core.cache import MISSING, cached
from apps.core.exceptions import NotFound
from apps.core.fastpath import CachedBytesMixin, CacheSlot, UserSlot
from apps.core.pagination import DEFAULT_PER_PAGE, MAX_PAGE, MAX_PER_PAGE, positive_int_param
from apps.core.signals import signal_send_robust


class MovieListView(CachedBytesMixin, generics.ListAPIView):
    """Active movies, filtered and ordered (default: most popular first).

    Without ``q``, a page is cached as bytes in the lists' namespace per validated filters (any
    spelling of the same filters, unknown parameters ignored), page and page size, and the
    list's total per filters beside it: the next page of the same filters does not count the
    matches again. Invalid filters are never cached (the filter backend's 400). A text search
    (``q``) is answered live, as it is reported to analytics on every request."""

    permission_classes = [AllowAny]
    serializer_class = MovieSummarySerializer
    filterset_class = MovieFilter

    def get_queryset(self):
        return movie_summary_queryset()

    def cache_slot(self, request: Request) -> CacheSlot | None:
        key = movie_filter_key(request.query_params)
        if key is None:
            return None
        page = positive_int_param(request, "page", 1, MAX_PAGE)
        per_page = positive_int_param(request, "per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE)
        return CacheSlot(LISTS_NAMESPACE, ("movies", key, page, per_page), LIST_TTL)

    def list(self, request, *args, **kwargs):
        q = request.query_params.get("q")
        if q:
            with search_session():
                response = super().list(request, *args, **kwargs)
            search_report(request, response, query=q.strip(), kind="movie")
            return response
        slot = self.cache_slot(request)
        if slot is None:
            return super().list(request, *args, **kwargs)

        def produce():
            movies = self.filter_queryset(self.get_queryset())
            total = cached(LISTS_NAMESPACE, ("movies_total", slot.parts[1]), LIST_TTL, movies.count)
            window = self.paginate_queryset(KnownTotal(movies, total))
            return self.get_paginated_response(self.get_serializer(window, many=True).data)

        return self.bytes_cached(slot, produce)


class MovieDetailMixin(CachedBytesMixin):
    """The public part is cached as bytes per movie; a logged-in user's state on the movie is
    spliced into those bytes (apps.core.fastpath), so a logged-in detail costs what an
    anonymous one does plus the token's checks. On the fast path the state is cached per user
    and movie (``user_slot``: dropped by the user's interaction writes and by any change of the
    movie, a soft delete included); the DRF path reads it live, with the active check."""

    def detail_slot(self, movie_id: int) -> CacheSlot:
        return CacheSlot(movie_namespace(movie_id), ("detail",), DETAIL_TTL)

    def user_state_slot(self, movie_id: int, user_id: int) -> UserSlot:
        return UserSlot(
            user_movies_namespace(user_id),
            ("state", movie_id),
            USER_PART_TTL,
            depends_on=(movie_namespace(movie_id),),
            key="user_state",
        )

    def user_state(self, movie_id: int, user):
        """The user's state on the movie as the answer shows it; ``MISSING`` when the movie
        is not active (the query is also the live active check)."""
        state = movie_user_state(user=user, movie_id=movie_id)
        return MISSING if state is None else CatalogUserStateSerializer(state).data

    def movie_response(self, request: Request, movie_id: int):
        slot = self.detail_slot(movie_id)
        if not request.user.is_authenticated:
            return self.bytes_cached(slot, lambda: Response(self.public_data(movie_id)))
        # The active check stays live: the cached public part may predate a soft delete.
        state = self.user_state(movie_id, request.user)
        if state is MISSING:
            raise NotFound("Movie not found.", code="movie_not_found")
        return self.bytes_with_overlay(
            slot, lambda: self.public_data(movie_id), "user_state", state
        )

    def public_data(self, movie_id: int) -> dict:
        movie = movie_detail_get(movie_id=movie_id)
        if movie.tmdb_id is not None and movie.tmdb_synced_at is None:
            signal_send_robust(
                movie_details_missing, sender=Movie, movie_id=movie.pk, tmdb_id=movie.tmdb_id
            )
        return CatalogMovieDetailSerializer(movie).data


class MovieDetailView(MovieDetailMixin, APIView):
    permission_classes = [AllowAny]

    def cache_slot(self, request: Request) -> CacheSlot:
        return self.detail_slot(self.kwargs["movie_id"])

    def user_slot(self, request: Request, user_id: int) -> UserSlot:
        return self.user_state_slot(self.kwargs["movie_id"], user_id)

    def user_part(self, request: Request, user):
        return self.user_state(self.kwargs["movie_id"], user)

    @extend_schema(responses=CatalogMovieDetailSerializer, operation_id="movie_detail")
    def get(self, request: Request, movie_id: int):
        return self.movie_response(request, movie_id)

    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        movie_view_report(self.request, response, kwargs["movie_id"])
        return response


class MovieCreditsView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=CatalogCreditsSerializer, operation_id="movie_credits")
    def get(self, request: Request, movie_id: int):
        return Response(CatalogCreditsSerializer(movie_credits(movie_id=movie_id)).data)


class MovieSimilarView(CachedBytesMixin, generics.ListAPIView):
    """Movies sharing genres, tags, keywords and people with this one, most alike first."""

    permission_classes = [AllowAny]
    serializer_class = MovieSummarySerializer
    filter_backends = []

    def cache_slot(self, request: Request) -> CacheSlot:
        page = positive_int_param(request, "page", 1, MAX_PAGE)
        per_page = positive_int_param(request, "per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE)
        return CacheSlot(
            movie_namespace(self.kwargs["movie_id"]), ("similar", page, per_page), LIST_TTL
        )

    def list(self, request, *args, **kwargs):
        movie_id = kwargs["movie_id"]

        def produce():
            movie_active_id(movie_id=movie_id)
            ids = movie_similar_ids(movie_id=movie_id)
            window = self.paginate_queryset(ids)
            data = MovieSummarySerializer(movies_in_order(ids=window), many=True).data
            return self.get_paginated_response(data)

        return self.bytes_cached(self.cache_slot(request), produce)
