"""The benchmark's URLconf (config.settings.bench): the production routes, plus three that
exist only to be measured beside them.

- ``api/v1/bench/reference/``: a bare Django JSON view, the reference for what the server does
  with no app code.
- ``api/v1/bench/movies/<id>/`` and ``api/v1/bench/search/``: a movie's public detail and a
  search computed as a cache miss is, without reading or filling the cache, so a benchmark can
  measure misses however warm the cache is.
"""

from django.http import JsonResponse
from django.urls import path
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.catalog.views.movies import MovieDetailView
from apps.catalog.views.search import SearchView
from apps.core.envelope import success_body
from config.urls import handler400, handler403, handler404, handler500  # noqa: F401
from config.urls import urlpatterns as production_urlpatterns


def bench_reference(request):
    return JsonResponse(success_body({"status": "ok"}))


class BenchMovieDetailMissView(APIView):
    permission_classes = [AllowAny]

    def get(self, request: Request, movie_id: int):
        return Response(MovieDetailView().public_data(movie_id))


class BenchSearchMissView(SearchView):
    def cache_slot(self, request) -> None:
        return None

    def list(self, request, *args, **kwargs):
        _, q, kind = self.search_slot(request)
        return self.search_response(q, kind)


# Before the production routes: they end with the catch-all 404.
urlpatterns = [
    path("api/v1/bench/reference/", bench_reference, name="bench-reference"),
    path("api/v1/bench/movies/<id:movie_id>/", BenchMovieDetailMissView.as_view()),
    path("api/v1/bench/search/", BenchSearchMissView.as_view()),
    *production_urlpatterns,
]
