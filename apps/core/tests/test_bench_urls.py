"""Bench-only routes live in the benchmark's URLconf (config/urls_bench.py, used by
config.settings.bench) and nowhere in production's."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from apps.core import views as core_views
from apps.core.tests.test_settings import PROD_ENV, run_manage

pytestmark = pytest.mark.django_db

BENCH_PATHS = ["/api/v1/bench/reference/", "/api/v1/bench/movies/{pk}/", "/api/v1/bench/search/"]


def callbacks(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from callbacks(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            yield getattr(pattern.callback, "cls", pattern.callback)


def test_no_production_route_leads_to_a_bench_view():
    modules = {view.__module__ for view in callbacks(get_resolver("config.urls").url_patterns)}
    assert "config.urls_bench" not in modules
    assert not [module for module in modules if "bench" in module]


@pytest.mark.parametrize("path", BENCH_PATHS)
def test_production_answers_bench_paths_with_its_404(api_client, path):
    path = path.format(pk=1)
    assert get_resolver("config.urls").resolve(path).func.__wrapped__ is core_views.page_not_found
    response = api_client.get(path, {"q": "heat"})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.urls("config.urls_bench")
def test_the_bench_urlconf_serves_its_routes_beside_the_production_ones(api_client):
    from apps.catalog.tests.factories import MovieFactory

    movie = MovieFactory(title="Heat")
    assert api_client.get("/api/v1/bench/reference/").json()["data"] == {"status": "ok"}
    assert api_client.get(f"/api/v1/bench/movies/{movie.pk}/").json()["data"]["title"] == "Heat"
    search = api_client.get("/api/v1/bench/search/", {"q": "heat"})
    assert [row["title"] for row in search.json()["data"]] == ["Heat"]
    assert api_client.get(f"/api/v1/movies/{movie.pk}/").status_code == 200
    assert api_client.get("/api/v1/no-such-route/").status_code == 404


def test_the_bench_settings_are_production_with_the_bench_urlconf():
    script = "from django.conf import settings as s; print(s.ROOT_URLCONF, s.DEBUG)"
    result = run_manage(
        {**PROD_ENV, "DJANGO_SETTINGS_MODULE": "config.settings.bench"},
        "shell",
        "-v",
        "0",
        "-c",
        script,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["config.urls_bench", "False"]
