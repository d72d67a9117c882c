"""lists/, lists/{id}/, lists/{id}/items/, lists/{id}/items/{movie_id}/, lists/shared/{slug}/.

Everything under lists/{id}/ belongs to the owner alone: the list is looked up in the request
user's own lists (apps.core.permissions.OwnedResourceMixin), so another user's list, public or
private, is a 404 on every method, and the services take the list found there. Public lists
are read by anyone through their share slug.
"""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from apps.core.exceptions import NotFound
from apps.core.permissions import OwnedResourceMixin
from apps.interactions import services
from apps.interactions.models import UserListItem
from apps.interactions.selectors import user_list_items, user_list_public_get, user_list_queryset
from apps.interactions.serializers import (
    UserListInputSerializer,
    UserListItemInputSerializer,
    UserListItemMoveInputSerializer,
    UserListItemSerializer,
    UserListItemStateSerializer,
    UserListPublicSerializer,
    UserListSerializer,
)


class _OwnedListMixin(OwnedResourceMixin):
    lookup_url_kwarg = "list_id"

    def owned_queryset(self, *, user):
        return user_list_queryset(user=user)

    def _list_answer(self, list_id: int, *, status_code: int = 200, message: str = "OK"):
        user_list = self.get_queryset().get(pk=list_id)
        response = Response(UserListSerializer(user_list).data, status=status_code)
        response.message = message
        return response


@extend_schema(tags=["lists"])
class UserListCollectionView(_OwnedListMixin, generics.ListAPIView):
    serializer_class = UserListSerializer

    @extend_schema(summary="My lists")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Create a list (repeating the same request returns the same list)",
        request=UserListInputSerializer,
        responses={
            201: OpenApiResponse(UserListSerializer, description="Created."),
            200: OpenApiResponse(UserListSerializer, description="The same list existed."),
        },
    )
    def post(self, request) -> Response:
        serializer = UserListInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user_list, created = services.user_list_create(
            user=request.user, **serializer.validated_data
        )
        return self._list_answer(
            user_list.pk,
            status_code=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
            message="List created." if created else "List already exists.",
        )


@extend_schema(tags=["lists"])
class UserListDetailView(_OwnedListMixin, generics.RetrieveAPIView):
    serializer_class = UserListSerializer

    @extend_schema(summary="One of my lists")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Change a list's name, description or visibility",
        request=UserListInputSerializer(partial=True),
        responses=UserListSerializer,
    )
    def patch(self, request, list_id: int) -> Response:
        user_list = self.get_object()
        serializer = UserListInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.user_list_update(user_list=user_list, **serializer.validated_data)
        return self._list_answer(user_list.pk, message="List updated.")

    @extend_schema(summary="Delete a list", request=None, responses={204: None})
    def delete(self, request, list_id: int) -> Response:
        user_list = self.get_object()
        services.user_list_delete(user_list=user_list)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["lists"])
class UserListItemCollectionView(_OwnedListMixin, generics.GenericAPIView):
    serializer_class = UserListItemSerializer

    @extend_schema(
        summary="The movies of one of my lists, in order",
        responses=UserListItemSerializer(many=True),
    )
    def get(self, request, list_id: int) -> Response:
        user_list = self.get_object()
        page = self.paginate_queryset(user_list_items(user_list=user_list))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        summary="Add a movie at a position (default: the end; a movie already there stays)",
        request=UserListItemInputSerializer,
        responses={
            201: OpenApiResponse(UserListItemStateSerializer, description="Added."),
            200: OpenApiResponse(UserListItemStateSerializer, description="Already in the list."),
        },
    )
    def post(self, request, list_id: int) -> Response:
        user_list = self.get_object()
        serializer = UserListItemInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        item, created = services.user_list_item_add(
            user_list=user_list, **serializer.validated_data
        )
        response = Response(
            UserListItemStateSerializer(
                {
                    "list_id": user_list.pk,
                    "movie_id": item.movie_id,
                    "in_list": True,
                    "position": item.position,
                }
            ).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )
        response.message = "Movie added." if created else "Movie already in the list."
        return response


@extend_schema(tags=["lists"])
class UserListItemDetailView(_OwnedListMixin, generics.GenericAPIView):
    serializer_class = UserListItemStateSerializer

    def _state(self, list_id: int, movie_id: int, position: int | None) -> dict:
        return UserListItemStateSerializer(
            {
                "list_id": list_id,
                "movie_id": movie_id,
                "in_list": position is not None,
                "position": position,
            }
        ).data

    @extend_schema(
        summary="Move a movie to another position",
        request=UserListItemMoveInputSerializer,
        responses=UserListItemStateSerializer,
    )
    def patch(self, request, list_id: int, movie_id: int) -> Response:
        user_list = self.get_object()
        serializer = UserListItemMoveInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        item = services.user_list_item_move(
            user_list=user_list,
            movie_id=movie_id,
            position=serializer.validated_data["position"],
        )
        response = Response(self._state(user_list.pk, movie_id, item.position))
        response.message = "Movie moved."
        return response

    @extend_schema(
        summary="Remove a movie from a list (absent is fine)",
        request=None,
        responses={200: UserListItemStateSerializer},
    )
    def delete(self, request, list_id: int, movie_id: int) -> Response:
        user_list = self.get_object()
        removed = services.user_list_item_remove(user_list=user_list, movie_id=movie_id)
        response = Response(self._state(user_list.pk, movie_id, None))
        response.message = "Movie removed." if removed else "Movie was not in the list."
        return response


def _public_list(slug: str):
    user_list = user_list_public_get(slug=slug)
    if user_list is None:
        raise NotFound("List not found.", code="list_not_found")
    return user_list


@extend_schema(tags=["lists"], summary="A public list by its share slug (no login needed)")
class UserListSharedView(generics.RetrieveAPIView):
    permission_classes = [AllowAny]
    serializer_class = UserListPublicSerializer

    def get_object(self):
        return _public_list(self.kwargs["slug"])


@extend_schema(tags=["lists"], summary="The movies of a public list, in order (no login needed)")
class UserListSharedItemsView(generics.ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = UserListItemSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return UserListItem.objects.none()
        return user_list_items(user_list=_public_list(self.kwargs["slug"]))
