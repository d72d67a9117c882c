"""Benchmark-only views, routed only when BENCH_REFERENCE_VIEW=1 (see apps/catalog/urls.py), so
never exposed normally.

``bench_reference`` is a bare Django JSON view: the reference for what the server does with no
app code. ``BenchMovieDetailMissView`` and ``BenchSearchMissView`` compute a movie's public
detail and a search as a cache miss does, without reading or filling the cache, so a benchmark
can measure misses however warm the cache is.
"""

from django.http import JsonResponse
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.catalog.views.movies import MovieDetailView
from apps.catalog.views.search import SearchView
from apps.core.envelope import success_body


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
