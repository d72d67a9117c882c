"""Views that exist only for the core tests: each raises or returns one kind of outcome. They are
public unless they say otherwise, as every view must (apps.core.permissions)."""

from django.db import connection
from django.http import Http404
from django.urls import include, path
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.exceptions import Conflict
from apps.core.pagination import EnvelopePagination
from apps.core.throttling import AnonRateThrottle


class EchoInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=10)
    count = serializers.IntegerField(min_value=1)


class PublicView(APIView):
    permission_classes = [AllowAny]


class EchoView(PublicView):
    def get(self, request):
        return Response({"hello": "world"})

    def post(self, request):
        serializer = EchoInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        response = Response(serializer.validated_data, status=201)
        response.message = "Echoed."
        return response


class NumbersView(PublicView):
    def get(self, request):
        paginator = EnvelopePagination()
        page = paginator.paginate_queryset(list(range(1, 46)), request, view=self)
        return paginator.get_paginated_response(page)


class PrivateView(APIView):
    permission_classes = [IsAuthenticated]

    def get(self, request):
        return Response({"user": request.user.username})


class BoomView(PublicView):
    def get(self, request):
        raise RuntimeError("secret internal detail")


class MissingView(PublicView):
    def get(self, request):
        raise Http404("nothing here")


class ConflictView(PublicView):
    def get(self, request):
        raise Conflict("Already taken.", details={"slug": ["taken"]})


class BadSqlView(PublicView):
    """A bug, not an outage: a statement the database refuses as wrong."""

    def get(self, request):
        with connection.cursor() as cursor:
            cursor.execute("SELECT missing_column FROM no_such_table_for_tests")
        return Response({})


class ThrottledView(PublicView):
    throttle_classes = [AnonRateThrottle]

    def get(self, request):
        return Response({"ok": True})


test_patterns = [
    path("echo/", EchoView.as_view()),
    path("numbers/", NumbersView.as_view()),
    path("private/", PrivateView.as_view()),
    path("boom/", BoomView.as_view()),
    path("missing/", MissingView.as_view()),
    path("conflict/", ConflictView.as_view()),
    path("throttled/", ThrottledView.as_view()),
    path("bad-sql/", BadSqlView.as_view()),
]

urlpatterns = [
    path("t/", include(test_patterns)),
    path("", include("config.urls")),
]
