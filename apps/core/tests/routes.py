"""Every route of the URLconf and every operation of the OpenAPI schema, with their path
parameters filled from a small world of real rows: for tests that must hold on every route,
including routes added later. A path parameter with no value here fails such a test, naming it.
"""

import re

from django.urls import URLResolver, get_resolver
from drf_spectacular.generators import SchemaGenerator

from apps.catalog.tests.factories import EpisodeFactory, MovieFactory
from apps.feed.tests.factories import CollectionFactory, NewsArticleFactory
from apps.interactions.tests.factories import UserListFactory
from apps.recommendations.models import RecommendationReason, UserRecommendation

URL_CONVERTER = re.compile(r"<(?:\w+:)?(\w+)>")
SCHEMA_PARAMETER = re.compile(r"\{(\w+)\}")

# How to fill each path parameter from the world; ROUTE_PATH_VALUES first, for a name that
# means different things on different routes (matched by the route's beginning).
ROUTE_PATH_VALUES = {
    ("/api/v1/collections/", "slug"): lambda world: world["collection"].slug,
    ("/api/v1/news/", "slug"): lambda world: world["article"].slug,
}
PATH_VALUES = {
    "key": lambda world: "popular_movies",
    "token": lambda world: "not-a-signed-token",
    "movie_id": lambda world: world["movie"].pk,
    "tmdb_id": lambda world: world["movie"].tmdb_id,
    "episode_id": lambda world: world["episode"].pk,
    "list_id": lambda world: world["user_list"].pk,
    "slug": lambda world: world["user_list"].share_slug,
    "show_id": lambda world: world["episode"].season.show_id,
    "season_number": lambda world: world["episode"].season.season_number,
    "person_id": lambda world: world["movie"].pk,  # any id: the route answers 404 or the person
    "recommendation_id": lambda world: world["recommendation"].pk,
}

# Query parameters a route requires besides the one under test.
REQUIRED_QUERY = {"/api/v1/search/": {"q": "movie"}}


def world_create(user) -> dict:
    """A movie, an episode, a public list and a recommendation of ``user``'s, a published
    collection and news article."""
    movie = MovieFactory()
    recommendation = UserRecommendation.objects.create(
        user=user,
        movie=movie,
        algorithm="hybrid",
        rank=1,
        score=0.5,
        reason=RecommendationReason.objects.get_or_create(text="Picked for your taste")[0],
    )
    return {
        "movie": movie,
        "episode": EpisodeFactory(),
        "user_list": UserListFactory(user=user, is_public=True),
        "recommendation": recommendation,
        "collection": CollectionFactory(),
        "article": NewsArticleFactory(),
    }


def url_patterns(patterns=None, prefix: str = ""):
    """``(route, pattern)`` for every URL pattern, with the route's full text from the root."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from url_patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield "/" + prefix + str(pattern.pattern), pattern


def drf_views() -> list[tuple[str, type]]:
    """``(route, view class)`` of every DRF view in the URLconf."""
    from rest_framework.views import APIView

    return [
        (route, view)
        for route, pattern in url_patterns()
        if isinstance(view := getattr(pattern.callback, "view_class", None), type)
        and issubclass(view, APIView)
    ]


def path_fill(route: str, world: dict, pattern: re.Pattern = URL_CONVERTER) -> str:
    """The route with each parameter replaced by its value from the world."""

    def value(match):
        name = match.group(1)
        for (prefix, routed_name), routed in ROUTE_PATH_VALUES.items():
            if routed_name == name and route.startswith(prefix):
                return str(routed(world))
        assert name in PATH_VALUES, f"add a value for the path parameter {name!r} to PATH_VALUES"
        return str(PATH_VALUES[name](world))

    return pattern.sub(value, route)


def schema_operations():
    """``(path, method, operation)`` for every operation of the public OpenAPI schema."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield path, method, operation


def schema_path(route: str) -> str:
    """The OpenAPI path of a URLconf route (``<id:movie_id>`` becomes ``{movie_id}``)."""
    return URL_CONVERTER.sub(lambda match: "{" + match.group(1) + "}", route)


def paginated_routes() -> list[tuple[str, type]]:
    """``(route, view class)`` of every DRF view in the URLconf whose GET is paginated: its
    schema operation takes ``page`` (the paginator documents it), whether the view is a
    generic list or calls the paginator itself."""
    paged = {
        path
        for path, method, operation in schema_operations()
        if method == "get"
        and any(p["in"] == "query" and p["name"] == "page" for p in operation.get("parameters", []))
    }
    return [(route, view) for route, view in drf_views() if schema_path(route) in paged]
