from importlib import import_module

from django.contrib import admin
from django.core.exceptions import ImproperlyConfigured
from django.urls import URLPattern, include, path, re_path
from django.urls.resolvers import RoutePattern
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerView,
)

from apps.analytics.dashboard import analytics_dashboard
from apps.core import views as core_views


def by_first_segment(*modules: str) -> list:
    """The routes of ``modules``, grouped under their first path segment.

    Django tries a URLconf's patterns in order, and a failed ``include`` builds the list of
    what it tried: with each app's routes included whole, resolving a like
    (``movies/<id>/like/``) tried the home page's, the accounts' and the catalog's routes
    first and cost 64 us of CPU, ``me/recommendations/`` 80 us (a cached logged-in answer
    costs 700 to 1,000 us in all); grouped, 42 and 36 us. A request tries only the routes that
    begin with its first segment (``movies/``, ``me/``...), in the order the modules list
    them. Every route must begin with a literal segment, which is what makes the grouping keep
    Django's first-match order; a route that does not is refused when the URLconf loads.
    """
    groups: dict[str, list] = {}
    for module in modules:
        for pattern in import_module(module).urlpatterns:
            route = str(pattern.pattern)
            head, slash, rest = route.partition("/")
            literal = isinstance(pattern, URLPattern) and isinstance(pattern.pattern, RoutePattern)
            if not (literal and slash and head and "<" not in head):
                raise ImproperlyConfigured(
                    f"{module}: the route {route!r} must be a path() beginning with a literal "
                    "segment (config/urls.py groups the API's routes by their first segment)."
                )
            groups.setdefault(head, []).append(
                path(rest, pattern.callback, kwargs=pattern.default_args, name=pattern.name)
            )
    return [path(f"{head}/", include(routes)) for head, routes in groups.items()]


api_v1 = by_first_segment(
    "apps.feed.urls",
    "apps.accounts.urls",
    "apps.catalog.urls",
    "apps.tmdb.urls",
    "apps.interactions.urls",
    "apps.recommendations.urls",
    "apps.analytics.urls",
    "apps.notifications.urls",
)

urlpatterns = [
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path(
        "api/redoc/",
        SpectacularRedocView.as_view(url_name="schema", template_name="core/redoc.html"),
        name="redoc",
    ),
    path("health/live", core_views.health_live, name="health-live"),
    path("health/ready", core_views.health_ready, name="health-ready"),
    path("metrics", core_views.metrics, name="metrics"),
    path("admin/analytics/", analytics_dashboard, name="admin-analytics"),
    path("admin/", admin.site.urls),
    # Anything else is a 404 in the envelope (also with DEBUG on), never an HTML page.
    # csrf_exempt: a POST to an unknown path is a JSON 404, not Django's HTML CSRF page.
    re_path(r"^(?!admin(?:/|$)|static/).*$", csrf_exempt(core_views.page_not_found)),
]

handler400 = "apps.core.views.bad_request"
handler403 = "apps.core.views.permission_denied"
handler404 = "apps.core.views.page_not_found"
handler500 = "apps.core.views.server_error"
