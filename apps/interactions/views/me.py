"""GET me/favorites/, me/watchlist/, me/ratings/, me/history/, me/stats/."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.catalog.cache import LISTS_NAMESPACE, USER_PART_TTL, user_movies_namespace
from apps.core.fastpath import UserBytesMixin, UserSlot
from apps.core.pagination import DEFAULT_PER_PAGE, MAX_PAGE, MAX_PER_PAGE, positive_int_param
from apps.core.permissions import OwnedResourceMixin
from apps.interactions.filters import FavoriteFilter, HistoryFilter, InteractionMovieFilter
from apps.interactions.models import InteractionType
from apps.interactions.selectors import history_list, interaction_list, user_stats
from apps.interactions.serializers import (
    InteractionFavoriteItemSerializer,
    InteractionHistoryItemSerializer,
    InteractionRatingItemSerializer,
    InteractionStatsSerializer,
    InteractionWatchlistItemSerializer,
)


class _MyInteractionListView(OwnedResourceMixin, generics.ListAPIView):
    interaction_type: str
    filterset_class = InteractionMovieFilter

    def owned_queryset(self, *, user):
        return interaction_list(user=user, interaction_type=self.interaction_type)


@extend_schema(tags=["me"], summary="My favorites (q searches titles and notes)")
class MyFavoriteListView(UserBytesMixin, _MyInteractionListView):
    """Pages without a search, genre or ordering are cached as bytes per user (apps.core.fastpath
    ``UserBytesMixin``), dropped by the user's interaction writes and by catalog changes; the
    movies' aggregates in them are at most USER_PART_TTL old, as in the cached public lists."""

    interaction_type = InteractionType.FAVORITE
    serializer_class = InteractionFavoriteItemSerializer
    filterset_class = FavoriteFilter

    def user_slot(self, request, user_id: int) -> UserSlot | None:
        if any(name not in ("page", "per_page") for name in request.query_params):
            return None
        page = positive_int_param(request, "page", 1, MAX_PAGE)
        per_page = positive_int_param(request, "per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE)
        return UserSlot(
            user_movies_namespace(user_id),
            ("favorites", page, per_page),
            USER_PART_TTL,
            depends_on=(LISTS_NAMESPACE,),
        )

    def list(self, request, *args, **kwargs):
        return self.user_answer(request, lambda: super(MyFavoriteListView, self).list(request))


@extend_schema(tags=["me"], summary="My watchlist")
class MyWatchlistView(_MyInteractionListView):
    interaction_type = InteractionType.WATCHLIST
    serializer_class = InteractionWatchlistItemSerializer


@extend_schema(tags=["me"], summary="My ratings")
class MyRatingListView(_MyInteractionListView):
    interaction_type = InteractionType.RATING
    serializer_class = InteractionRatingItemSerializer


@extend_schema(tags=["me"], summary="Everything I did with movies, newest first")
class MyHistoryView(OwnedResourceMixin, generics.ListAPIView):
    serializer_class = InteractionHistoryItemSerializer
    filterset_class = HistoryFilter

    def owned_queryset(self, *, user):
        return history_list(user=user)


class MyStatsView(OwnedResourceMixin, APIView):
    @extend_schema(
        tags=["me"],
        summary="My counts by type, top genres and average rating",
        responses=InteractionStatsSerializer,
    )
    def get(self, request) -> Response:
        return Response(InteractionStatsSerializer(user_stats(user=request.user)).data)
