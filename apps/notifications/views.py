"""Notification routes: the inbox, preferences and devices (the caller's own), and the public
links in messages (open pixel, click redirect, unsubscribe), which a signed token authorises.
A tampered, foreign or expired token is a 404 and changes nothing."""

import base64

from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.exceptions import NotFound
from apps.core.permissions import OwnedResourceMixin
from apps.notifications import selectors
from apps.notifications.serializers import (
    NotificationItemSerializer,
    NotificationListQuerySerializer,
    NotificationPreferenceSerializer,
    UnreadCountSerializer,
    UserDeviceInputSerializer,
    UserDeviceSerializer,
)
from apps.notifications.services import devices as device_services
from apps.notifications.services import preferences as preference_services
from apps.notifications.services import tracking
from apps.notifications.tokens import click_token_read, open_token_read, unsubscribe_token_read

PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
LINK_GONE = "This link is invalid or has expired."


@extend_schema(tags=["notifications"])
class MyNotificationListView(OwnedResourceMixin, generics.ListAPIView):
    serializer_class = NotificationItemSerializer

    def owned_queryset(self, *, user):
        return selectors.inbox(user=user)

    @extend_schema(
        summary="My notifications (in-app inbox), newest first",
        parameters=[
            OpenApiParameter("unread", bool, description="only unread (true) or read (false)")
        ],
    )
    def get(self, request, *args, **kwargs):
        query = NotificationListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        self.unread = query.validated_data.get("unread")
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return super().get_queryset()
        return selectors.inbox(user=self.request.user, unread=getattr(self, "unread", None))


@extend_schema(tags=["notifications"])
class MyNotificationUnreadCountView(OwnedResourceMixin, APIView):
    @extend_schema(
        summary="How many of my notifications are unread", responses=UnreadCountSerializer
    )
    def get(self, request):
        return Response({"unread": selectors.inbox_unread_count(user=request.user)})


@extend_schema(tags=["notifications"])
class MyNotificationReadView(OwnedResourceMixin, generics.GenericAPIView):
    serializer_class = NotificationItemSerializer
    lookup_url_kwarg = "notification_id"

    def owned_queryset(self, *, user):
        return selectors.inbox(user=user)

    @extend_schema(summary="Mark one notification read (again is harmless)", request=None)
    def post(self, request, notification_id: int):
        log = self.get_object()
        if log.read_at is None:
            now = timezone.now()
            type(log).objects.filter(pk=log.pk, read_at__isnull=True).update(read_at=now)
            log.read_at = now
        return Response(self.get_serializer(log).data)


@extend_schema(tags=["notifications"])
class MyNotificationPreferencesView(OwnedResourceMixin, APIView):
    @extend_schema(
        summary="My notification preferences", responses=NotificationPreferenceSerializer
    )
    def get(self, request):
        preference = preference_services.preference_for(request.user)
        return Response(NotificationPreferenceSerializer(preference).data)

    @extend_schema(
        summary="Change my notification preferences",
        request=NotificationPreferenceSerializer,
        responses=NotificationPreferenceSerializer,
    )
    def patch(self, request):
        serializer = NotificationPreferenceSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        preference = preference_services.preference_update(
            user=request.user, fields=dict(serializer.validated_data)
        )
        return Response(NotificationPreferenceSerializer(preference).data)


@extend_schema(tags=["notifications"])
class MyDeviceListView(OwnedResourceMixin, generics.ListAPIView):
    serializer_class = UserDeviceSerializer

    def owned_queryset(self, *, user):
        return selectors.devices(user=user)

    @extend_schema(summary="My push devices")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Register a push device (201; 200 when the token was registered already)",
        request=UserDeviceInputSerializer,
        responses={200: UserDeviceSerializer, 201: UserDeviceSerializer},
    )
    def post(self, request, *args, **kwargs):
        data = UserDeviceInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        device, created = device_services.device_register(user=request.user, **data.validated_data)
        return Response(
            UserDeviceSerializer(device).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


@extend_schema(tags=["notifications"])
class MyDeviceDetailView(OwnedResourceMixin, generics.GenericAPIView):
    serializer_class = UserDeviceSerializer
    lookup_url_kwarg = "device_id"

    def owned_queryset(self, *, user):
        return selectors.devices(user=user)

    @extend_schema(summary="Remove a push device", responses={204: None})
    def delete(self, request, device_id: int):
        device_services.device_remove(device=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class _TokenLinkView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []


@extend_schema(tags=["notifications"])
class NotificationOpenView(_TokenLinkView):
    @extend_schema(
        summary="Tracking pixel: marks the message opened",
        responses={
            (200, "image/gif"): OpenApiTypes.BINARY,
            404: OpenApiResponse(description=LINK_GONE),
        },
    )
    def get(self, request, token: str):
        log_id = open_token_read(token)
        if log_id is None or not tracking.log_opened(log_id=log_id):
            raise NotFound(LINK_GONE)
        response = HttpResponse(PIXEL, content_type="image/gif")
        response["Cache-Control"] = "no-store, private"
        return response


@extend_schema(tags=["notifications"])
class NotificationClickView(_TokenLinkView):
    @extend_schema(
        summary="Tracked link: marks the message clicked and redirects to the URL in the token",
        responses={
            302: OpenApiResponse(description="to the signed URL"),
            404: OpenApiResponse(description=LINK_GONE),
        },
    )
    def get(self, request, token: str):
        read = click_token_read(token)
        if read is None or not tracking.log_clicked(log_id=read[0], url=read[1]):
            raise NotFound(LINK_GONE)
        response = HttpResponseRedirect(read[1])
        response["Cache-Control"] = "no-store, private"
        response["Referrer-Policy"] = "no-referrer"
        return response


@extend_schema(tags=["notifications"])
class NotificationUnsubscribeView(_TokenLinkView):
    """GET shows a page with a button (mail scanners follow GET links; they must not
    unsubscribe anyone); POST unsubscribes, as RFC 8058's one-click POST from a mail client."""

    def _read(self, token: str):
        read = unsubscribe_token_read(token)
        if read is None:
            raise NotFound(LINK_GONE)
        return read

    @extend_schema(
        summary="Unsubscribe page (HTML)", responses={(200, "text/html"): OpenApiTypes.STR}
    )
    def get(self, request, token: str):
        self._read(token)
        return render(request, "notifications/unsubscribe.html", {"done": False})

    @extend_schema(
        summary="Unsubscribe from this kind of message (RFC 8058 one-click)",
        request=None,
        responses={(200, "text/html"): OpenApiTypes.STR},
    )
    def post(self, request, token: str):
        user_id, kind, channel = self._read(token)
        if not preference_services.unsubscribe(user_id=user_id, kind=kind, channel=channel):
            raise NotFound(LINK_GONE)
        return render(request, "notifications/unsubscribe.html", {"done": True})
