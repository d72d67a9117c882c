"""GET me/favorites/, me/watchlist/, me/ratings/, me/history/, me/stats/."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

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
class MyFavoriteListView(_MyInteractionListView):
    interaction_type = InteractionType.FAVORITE
    serializer_class = InteractionFavoriteItemSerializer
    filterset_class = FavoriteFilter


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
