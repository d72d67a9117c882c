"""config/urls.py groups the API's routes by their first path segment."""

import sys
import types

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import URLResolver, include, path, re_path
from django.urls.exceptions import Resolver404
from django.urls.resolvers import RegexPattern

from config.urls import api_v1, by_first_segment


def first(request):
    return "first"


def second(request):
    return "second"


@pytest.fixture
def modules(monkeypatch):
    def made(**patterns):
        for name, urlpatterns in patterns.items():
            module = types.ModuleType(name)
            module.urlpatterns = urlpatterns
            monkeypatch.setitem(sys.modules, name, module)
        return list(patterns)

    return made


def resolved(patterns, url):
    match = URLResolver(RegexPattern(r"^/"), patterns).resolve(url)
    return match.func, match.kwargs, match.url_name


def test_routes_of_several_modules_resolve_under_their_first_segment_first_listed_first(modules):
    names = modules(
        routes_a=[
            path("movies/<int:movie_id>/", first, name="a-detail"),
            path("me/", first, name="a-me"),
            path("search/", first, {"kind": "all"}, name="a-search"),
        ],
        routes_b=[
            path("movies/<int:movie_id>/", second, name="b-detail"),
            path("movies/<int:movie_id>/like/", second, name="b-like"),
        ],
    )

    grouped = by_first_segment(*names)

    assert [str(group.pattern) for group in grouped] == ["movies/", "me/", "search/"]
    assert resolved(grouped, "/movies/7/") == (first, {"movie_id": 7}, "a-detail")
    assert resolved(grouped, "/movies/7/like/") == (second, {"movie_id": 7}, "b-like")
    assert resolved(grouped, "/search/") == (first, {"kind": "all"}, "a-search")
    with pytest.raises(Resolver404):
        resolved(grouped, "/search/more/")
    with pytest.raises(Resolver404):
        resolved(grouped, "/me")


@pytest.mark.parametrize(
    "pattern",
    [
        path("<slug:kind>/", first),
        path("movies", first),
        re_path(r"^movies/$", first),
        path("movies/", include([path("x/", first)])),
    ],
    ids=["converter first", "no segment", "regex", "include"],
)
def test_a_route_that_does_not_begin_with_a_literal_segment_is_refused(modules, pattern):
    with pytest.raises(ImproperlyConfigured, match="literal"):
        by_first_segment(*modules(routes_bad=[pattern]))


def test_the_api_has_one_group_per_first_segment():
    heads = [str(group.pattern) for group in api_v1]

    assert len(heads) == len(set(heads))
    assert {"feed/", "movies/", "me/", "auth/"} <= set(heads)
