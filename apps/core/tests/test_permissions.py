"""Who may call what. Every view under /api/ declares its permission classes in its own code
(the settings default, IsAuthenticated, is a safety net, not a decision), and which routes
answer anonymous clients is pinned here: making a route public is a change to this file.

Both tests walk the URLconf, so views that apps add later are checked without being listed.
"""

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import URLPattern, URLResolver, get_resolver, include, path
from django.urls.resolvers import RegexPattern
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from apps.core.permissions import OwnedResourceMixin

# Route (as written in the URLconf) -> the methods an anonymous client may call. Every other
# route and method under /api/v1/ answers an anonymous client 401.
PUBLIC_ROUTES = {
    "api/v1/auth/register/": {"POST"},
    "api/v1/auth/login/": {"POST"},
    "api/v1/auth/token/refresh/": {"POST"},
    "api/v1/auth/logout/": {"POST"},
    "api/v1/auth/password/reset/": {"POST"},
    "api/v1/auth/password/reset/confirm/": {"POST"},
    "api/v1/auth/email/verify/": {"POST"},
    "api/v1/movies/": {"GET"},
    "api/v1/movies/trending/": {"GET"},
    "api/v1/movies/popular/": {"GET"},
    "api/v1/movies/top-rated/": {"GET"},
    "api/v1/movies/upcoming/": {"GET"},
    "api/v1/movies/now-playing/": {"GET"},
    "api/v1/movies/tmdb/<id:tmdb_id>/": {"GET"},
    "api/v1/movies/<id:movie_id>/": {"GET"},
    "api/v1/movies/<id:movie_id>/credits/": {"GET"},
    "api/v1/movies/<id:movie_id>/similar/": {"GET"},
    "api/v1/movies/<id:movie_id>/recommendations/": {"GET"},
    "api/v1/genres/": {"GET"},
    "api/v1/people/popular/": {"GET"},
    "api/v1/people/<id:person_id>/": {"GET"},
    "api/v1/shows/": {"GET"},
    "api/v1/shows/top-rated/": {"GET"},
    "api/v1/shows/<id:show_id>/": {"GET"},
    "api/v1/shows/<id:show_id>/seasons/<id:season_number>/": {"GET"},
    "api/v1/search/": {"GET"},
    "api/v1/episodes/<id:episode_id>/reviews/": {"GET"},
    "api/v1/lists/shared/<str:slug>/": {"GET"},
    "api/v1/lists/shared/<str:slug>/items/": {"GET"},
    "api/v1/recommendations/trending/": {"GET"},
    "api/v1/feed/home/": {"GET"},
    "api/v1/feed/sections/<slug:key>/": {"GET"},
    "api/v1/collections/": {"GET"},
    "api/v1/collections/<slug:slug>/": {"GET"},
    "api/v1/news/": {"GET"},
    "api/v1/news/<slug:slug>/": {"GET"},
    # Links in notification messages: a signed token authorises them (404 without one).
    "api/v1/notifications/open/<str:token>/": {"GET"},
    "api/v1/notifications/click/<str:token>/": {"GET"},
    "api/v1/notifications/unsubscribe/<str:token>/": {"GET", "POST"},
}


def routes(patterns, prefix: str = ""):
    """Every (route, view callback) reachable from ``patterns``, depth first."""
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from routes(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            yield route, entry.callback


def undeclared_permissions(patterns, prefix: str = "api/") -> list[str]:
    """Routes under ``prefix`` whose view leaves its permission classes to the settings default
    (or is not a DRF view at all, so has none)."""
    found = []
    for route, callback in routes(patterns):
        if not route.startswith(prefix):
            continue
        view_class = getattr(callback, "cls", None)
        if view_class is None or not issubclass(view_class, APIView):
            found.append(f"{route} (not a DRF view)")
        elif view_class.permission_classes is APIView.permission_classes:
            # APIView's list is the settings default; a view (or @api_view without
            # @permission_classes) that never set its own still holds that very object.
            found.append(f"{route} ({view_class.__name__})")
    return found


def api_v1_routes() -> list[tuple[str, type]]:
    return [
        (route, callback.cls)
        for route, callback in routes(get_resolver().url_patterns)
        if route.startswith("api/v1/")
    ]


def test_every_api_view_declares_its_permission_classes():
    assert len(api_v1_routes()) > 50  # the walk reached every app's routes

    assert undeclared_permissions(get_resolver().url_patterns) == []


class DeclaredView(APIView):
    permission_classes = [AllowAny]

    def get(self, request):
        return Response({})


class ForgetfulView(APIView):
    def get(self, request):
        return Response({})


class ForgetfulOwnedView(OwnedResourceMixin, APIView):
    """Permission classes inherited from a project base class are declared."""

    def get(self, request):
        return Response({})


def plain_django_view(request):
    raise AssertionError("never called")


def test_the_walk_finds_an_undeclared_view_that_a_new_app_adds_at_any_depth():
    new_app_urls = [
        path("home/", DeclaredView.as_view()),
        path("sections/<str:key>/", ForgetfulView.as_view()),
        path("inbox/", ForgetfulOwnedView.as_view()),
        path("legacy/", plain_django_view),
    ]
    patterns = [
        path("api/v1/", include([path("feed/", include(new_app_urls))])),
        path("health/live", plain_django_view),
    ]

    assert undeclared_permissions(URLResolver(RegexPattern(r"^/"), patterns).url_patterns) == [
        "api/v1/feed/sections/<str:key>/ (ForgetfulView)",
        "api/v1/feed/legacy/ (not a DRF view)",
    ]


def anonymous_methods(view_class: type) -> list[str]:
    return sorted(
        method.upper()
        for method in view_class.http_method_names
        if method not in {"head", "options"} and hasattr(view_class, method)
    )


def test_public_routes_are_all_still_routed():
    assert set(PUBLIC_ROUTES) <= {route for route, _ in api_v1_routes()}


@pytest.mark.django_db
def test_only_the_public_routes_answer_anonymous_clients(api_client):
    """Ids in paths are 0 (no row has it) and bodies empty: a public route answers 400 or 404,
    a private one 401 before looking at either."""
    answers = {}
    for route, view_class in api_v1_routes():
        url = "/" + re.sub(r"<[^>]+>", "0", route)
        for method in anonymous_methods(view_class):
            response = getattr(api_client, method.lower())(url, {}, format="json")
            answers[(route, method)] = response.status_code

    refused = {key for key, status in answers.items() if status == 401}
    public = {(route, method) for route, methods in PUBLIC_ROUTES.items() for method in methods}
    assert set(answers) - refused == public
    assert IsAuthenticated in APIView.permission_classes  # the default refuses, too


class AccountNameSerializer(serializers.Serializer):
    username = serializers.CharField()


class OwnAccountView(OwnedResourceMixin, generics.RetrieveAPIView):
    """An owned resource addressed by id: the caller's own user row."""

    serializer_class = AccountNameSerializer
    lookup_url_kwarg = "account_id"

    def owned_queryset(self, *, user):
        return get_user_model().objects.filter(pk=getattr(user, "pk", None))


def fetch_account(caller, account_id: int):
    request = APIRequestFactory().get(f"/accounts/{account_id}/")
    if caller is not None:
        force_authenticate(request, user=caller)
    return OwnAccountView.as_view()(request, account_id=account_id)


@pytest.mark.django_db
def test_an_owned_resource_answers_its_owner_and_404s_anyone_elses_id(user, other_user):
    assert fetch_account(user, user.pk).data == {"username": user.username}
    assert fetch_account(user, other_user.pk).status_code == 404
    assert fetch_account(user, 10**9).status_code == 404  # the same answer as a missing one


@pytest.mark.django_db
def test_an_owned_resource_refuses_anonymous_clients_before_looking_anything_up(user):
    assert fetch_account(None, user.pk).status_code == 401


def test_schema_generation_sees_an_owned_queryset_with_no_rows():
    view = OwnAccountView()
    view.swagger_fake_view = True

    assert view.get_queryset().query.is_empty()
