"""POST/PUT/DELETE movies/{id}/favorite|watchlist|like|dislike|rating|view|share/.

Every route answers with the user's state for the movie (InteractionStateSerializer): 201 when
the request created the interaction, 200 when it changed or confirmed it (a repeat), and 200
for a DELETE of something absent. Unknown or inactive movies are 404.
"""

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.catalog.hooks import movie_for_tmdb_id
from apps.catalog.selectors import movie_id_by_tmdb_id
from apps.core.exceptions import NotFound
from apps.core.permissions import OwnedResourceMixin
from apps.core.schema import REACHES_TMDB
from apps.interactions import services
from apps.interactions.models import InteractionType
from apps.interactions.serializers import (
    InteractionFavoriteInputSerializer,
    InteractionRatingInputSerializer,
    InteractionStateSerializer,
    InteractionWriteInputSerializer,
)

_STATE_RESPONSES = {
    200: OpenApiResponse(InteractionStateSerializer, description="Changed, or already so."),
    201: OpenApiResponse(InteractionStateSerializer, description="Created."),
}
# The answer's serializer, built once and shared: ``to_representation`` only reads the fields
# it built at first use, while every new instance deep-copies its declared fields (measured: a
# tenth of a like's CPU in the process, cProfile, issue 15).
_STATE_SERIALIZER = InteractionStateSerializer()

_DELETE_RESPONSES = {
    200: OpenApiResponse(InteractionStateSerializer, description="Removed, or was not there."),
}


class MovieInteractionView(OwnedResourceMixin, APIView):
    """Shared by the per-movie write routes: parse, call the service, answer with the state."""

    label = "interaction"

    def _input(self, serializer_class, request) -> dict:
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def _answer(self, request, outcome: services.InteractionOutcome, verb: str) -> Response:
        response = Response(
            _STATE_SERIALIZER.to_representation(outcome.state),
            status=status.HTTP_201_CREATED if outcome.created else status.HTTP_200_OK,
        )
        response.message = f"{self.label.capitalize()} {verb}."
        return response


class MovieMembershipView(MovieInteractionView):
    """POST adds, DELETE removes: watchlist, like, dislike."""

    interaction_type: str

    def post(self, request, movie_id: int) -> Response:
        data = self._input(InteractionWriteInputSerializer, request)
        outcome = services.membership_add(
            user=request.user,
            movie_id=movie_id,
            interaction_type=self.interaction_type,
            source=data["source"],
        )
        return self._answer(request, outcome, "saved" if outcome.action else "unchanged")

    def delete(self, request, movie_id: int) -> Response:
        outcome = services.membership_remove(
            user=request.user,
            movie_id=movie_id,
            interaction_type=self.interaction_type,
        )
        return self._answer(request, outcome, "removed" if outcome.action else "was not set")


def _add_schema(label: str):
    return extend_schema(
        summary=f"Add a {label} (idempotent)",
        request=InteractionWriteInputSerializer,
        responses=_STATE_RESPONSES,
        tags=["interactions"],
    )


def _remove_schema(label: str):
    return extend_schema(
        summary=f"Remove the {label} (absent is fine)",
        request=None,
        responses=_DELETE_RESPONSES,
        tags=["interactions"],
    )


@extend_schema_view(post=_add_schema("watchlist entry"), delete=_remove_schema("watchlist entry"))
class MovieWatchlistView(MovieMembershipView):
    interaction_type = InteractionType.WATCHLIST
    label = "watchlist entry"


@extend_schema_view(post=_add_schema("like"), delete=_remove_schema("like"))
class MovieLikeView(MovieMembershipView):
    """Liking removes the user's dislike of the movie."""

    interaction_type = InteractionType.LIKE
    label = "like"


@extend_schema_view(post=_add_schema("dislike"), delete=_remove_schema("dislike"))
class MovieDislikeView(MovieMembershipView):
    """Disliking removes the user's like of the movie."""

    interaction_type = InteractionType.DISLIKE
    label = "dislike"


class MovieFavoriteView(MovieInteractionView):
    """POST favorites (optional notes and user_rating), DELETE unfavorites."""

    label = "favorite"

    @extend_schema(
        summary="Favorite a movie, with optional notes and your rating (idempotent)",
        request=InteractionFavoriteInputSerializer,
        responses=_STATE_RESPONSES,
        tags=["interactions"],
    )
    def post(self, request, movie_id: int) -> Response:
        data = self._input(InteractionFavoriteInputSerializer, request)
        outcome = services.favorite_add(user=request.user, movie_id=movie_id, **data)
        return self._answer(request, outcome, "saved" if outcome.action else "unchanged")

    @extend_schema(
        summary="Unfavorite a movie (absent is fine)",
        request=None,
        responses=_DELETE_RESPONSES,
        tags=["interactions"],
    )
    def delete(self, request, movie_id: int) -> Response:
        outcome = services.membership_remove(
            user=request.user,
            movie_id=movie_id,
            interaction_type=InteractionType.FAVORITE,
        )
        return self._answer(request, outcome, "removed" if outcome.action else "was not set")


class MovieRatingView(MovieInteractionView):
    """PUT sets or changes the user's rating, DELETE removes it."""

    label = "rating"

    @extend_schema(
        summary="Rate a movie 0.5 to 5.0 in half steps",
        request=InteractionRatingInputSerializer,
        responses=_STATE_RESPONSES,
        tags=["interactions"],
    )
    def put(self, request, movie_id: int) -> Response:
        data = self._input(InteractionRatingInputSerializer, request)
        outcome = services.rating_set(
            user=request.user,
            movie_id=movie_id,
            value=data["rating"],
            source=data["source"],
        )
        return self._answer(request, outcome, "saved" if outcome.action else "unchanged")

    @extend_schema(
        summary="Remove your rating (absent is fine)",
        request=None,
        responses=_DELETE_RESPONSES,
        tags=["interactions"],
    )
    def delete(self, request, movie_id: int) -> Response:
        outcome = services.rating_remove(user=request.user, movie_id=movie_id)
        return self._answer(request, outcome, "removed" if outcome.action else "was not set")


class MovieViewRecordView(MovieInteractionView):
    label = "view"

    @extend_schema(
        summary="Record a view (repeats within 30 minutes count once)",
        request=InteractionWriteInputSerializer,
        responses=_STATE_RESPONSES,
        tags=["interactions"],
    )
    def post(self, request, movie_id: int) -> Response:
        data = self._input(InteractionWriteInputSerializer, request)
        outcome = services.view_record(user=request.user, movie_id=movie_id, source=data["source"])
        return self._answer(
            request, outcome, "counted" if outcome.action else "already counted recently"
        )


class MovieShareView(MovieInteractionView):
    label = "share"

    @extend_schema(
        summary="Record a share (repeats within 30 minutes count once)",
        request=InteractionWriteInputSerializer,
        responses=_STATE_RESPONSES,
        tags=["interactions"],
    )
    def post(self, request, movie_id: int) -> Response:
        data = self._input(InteractionWriteInputSerializer, request)
        outcome = services.share_record(user=request.user, movie_id=movie_id, source=data["source"])
        return self._answer(
            request, outcome, "recorded" if outcome.action else "already recorded recently"
        )


class MovieFavoriteByTMDbIdView(MovieFavoriteView):
    """Favorite a movie by its TMDb id (seed 004's flow): a movie we do not have yet is
    fetched from TMDb first (a 404 if TMDb does not know it, 503 if TMDb cannot answer)."""

    @extend_schema(
        summary="Favorite a movie by TMDb id, fetched from TMDb if missing (idempotent)",
        request=InteractionFavoriteInputSerializer,
        responses=_STATE_RESPONSES,
        tags=["interactions"],
        operation_id="movie_favorite_by_tmdb_id",
        extensions=REACHES_TMDB,
    )
    def post(self, request, tmdb_id: int) -> Response:
        data = self._input(InteractionFavoriteInputSerializer, request)
        movie = movie_for_tmdb_id(tmdb_id=tmdb_id)
        outcome = services.favorite_add(user=request.user, movie_id=movie.pk, **data)
        return self._answer(request, outcome, "saved" if outcome.action else "unchanged")

    @extend_schema(
        summary="Unfavorite a movie by TMDb id (absent is fine; never asks TMDb)",
        request=None,
        responses=_DELETE_RESPONSES,
        tags=["interactions"],
        operation_id="movie_unfavorite_by_tmdb_id",
    )
    def delete(self, request, tmdb_id: int) -> Response:
        movie_id = movie_id_by_tmdb_id(tmdb_id=tmdb_id)
        if movie_id is None:
            raise NotFound("Movie not found.", code="movie_not_found")
        return super().delete(request, movie_id)
