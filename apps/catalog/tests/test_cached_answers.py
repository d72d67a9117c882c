"""Anonymous hits on cached catalog answers: served before DRF, from a process-local copy."""

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import override_settings
from rest_framework.settings import api_settings

from apps.catalog.cache import LISTS_NAMESPACE, catalog_lists_invalidate
from apps.catalog.tests.factories import GenreFactory, MovieFactory
from apps.core.fastpath import local_counts
from apps.core.testing import cache_calls

pytestmark = pytest.mark.django_db

PER_CLIENT_HEADERS = {"X-Request-ID", "Server-Timing"}


def anon_rate(rate: str):
    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "anon": rate}
    return override_settings(
        REST_FRAMEWORK={**api_settings.user_settings, "DEFAULT_THROTTLE_RATES": rates}
    )


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/movies/popular/?per_page=2",
        "/api/v1/movies/trending/?window=day",
        "/api/v1/genres/",
        "/api/v1/movies/{pk}/",
        "/api/v1/movies/{pk}/similar/",
        "/api/v1/search/?q=movie&per_page=5",
        "/api/v1/movies/?ordering=-rating&year_min=1900&per_page=5",
    ],
)
def test_a_hit_sends_what_the_drf_path_sent(api_client, path):
    path = path.format(pk=MovieFactory().pk)
    through_drf = api_client.get(path)  # a miss: computed and rendered by DRF, then stored

    hit = api_client.get(path)

    assert through_drf.status_code == hit.status_code == 200
    assert hit.content == through_drf.content
    assert {k: v for k, v in hit.items() if k not in PER_CLIENT_HEADERS} == {
        k: v for k, v in through_drf.items() if k not in PER_CLIENT_HEADERS
    }


@pytest.mark.performance
def test_a_hit_from_the_local_copy_needs_neither_the_database_nor_the_cache(
    api_client, django_assert_num_queries, monkeypatch
):
    MovieFactory()
    monkeypatch.setattr(local_counts, "sync_seconds", 3600)
    api_client.get("/api/v1/movies/popular/")  # computed and stored
    first = api_client.get("/api/v1/movies/popular/")  # read, copied, counted in the cache

    with cache_calls() as calls, django_assert_num_queries(0):
        second = api_client.get("/api/v1/movies/popular/")

    assert calls == []
    assert second.content == first.content


def test_the_anonymous_throttle_counts_cached_hits(api_client):
    MovieFactory()
    with anon_rate("3/min"):
        statuses = [api_client.get("/api/v1/movies/popular/").status_code for _ in range(4)]
        refused = api_client.get("/api/v1/movies/popular/")

    assert statuses == [200, 200, 200, 429]
    assert refused.json()["error"]["code"] == "throttled"
    assert 1 <= int(refused["Retry-After"]) <= 60


def test_a_request_counted_before_a_miss_is_not_counted_again(api_client, monkeypatch):
    monkeypatch.setattr(local_counts, "sync_seconds", 0)  # every count reads the shared total
    movie = MovieFactory()
    with anon_rate("2/min"):
        statuses = [api_client.get(f"/api/v1/movies/{movie.pk}/").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/movies/popular/?page=abc",
        "/api/v1/movies/popular/?per_page=0",
        "/api/v1/movies/trending/?window=year",
    ],
)
def test_invalid_parameters_get_their_400_while_pages_are_cached(api_client, path):
    MovieFactory()
    api_client.get("/api/v1/movies/popular/")
    api_client.get("/api/v1/movies/popular/")
    api_client.get("/api/v1/movies/trending/")

    response = api_client.get(path)

    assert response.status_code == 400
    assert response.json()["success"] is False


def test_a_token_gets_the_live_answer_with_the_users_state(api_client, auth_client):
    movie = MovieFactory()
    api_client.get(f"/api/v1/movies/{movie.pk}/")
    api_client.get(f"/api/v1/movies/{movie.pk}/")

    state = auth_client.get(f"/api/v1/movies/{movie.pk}/").json()["data"]["user_state"]
    assert state["favorite"] is False
    assert api_client.get(f"/api/v1/movies/{movie.pk}/").json()["data"].get("user_state") is None


def test_an_invalidation_elsewhere_reaches_this_process_within_cache_local_seconds(
    api_client, monkeypatch
):
    clock = [5000.0]
    monkeypatch.setattr("apps.core.fastpath.time.monotonic", lambda: clock[0])
    movie = MovieFactory(title="Before")
    api_client.get("/api/v1/movies/popular/")
    api_client.get("/api/v1/movies/popular/")  # this process now holds a copy

    movie.title = "After"
    movie.save()
    # Another process (a sync in a worker) invalidates: the shared version moves, and this
    # process's copy is left to age out.
    version_key = f"nsv:{LISTS_NAMESPACE}"
    cache.add(version_key, 1, timeout=None)
    cache.incr(version_key)

    def title() -> str:
        return api_client.get("/api/v1/movies/popular/").json()["data"][0]["title"]

    assert title() == "Before"
    clock[0] += settings.CACHE_LOCAL_SECONDS
    assert title() == "After"


def test_search_answers_are_cached_until_the_lists_are_invalidated(
    api_client, django_assert_num_queries
):
    movie = MovieFactory(title="Heat")
    first = api_client.get("/api/v1/search/", {"q": " heat "})
    with django_assert_num_queries(0):
        again = api_client.get("/api/v1/search/", {"q": "heat"})  # the same query, trimmed
    assert again.content == first.content

    movie.title = "Heat Wave"
    movie.save()
    catalog_lists_invalidate()  # what a sync or an editor's save does after commit

    titles = [
        row["title"] for row in api_client.get("/api/v1/search/", {"q": "heat"}).json()["data"]
    ]
    assert titles == ["Heat Wave"]


def test_filtered_pages_and_their_total_are_cached_per_validated_filters(
    api_client, django_assert_num_queries
):
    drama = GenreFactory(slug="drama")
    MovieFactory.create_batch(3, genres=[drama], title="Heat")
    first = api_client.get("/api/v1/movies/", {"genre": drama.pk, "ordering": "title"})
    assert first.json()["pagination"]["total"] == 3

    # The same filters in another order, with an unknown parameter: the same cached page.
    with django_assert_num_queries(0):
        again = api_client.get(f"/api/v1/movies/?utm=x&ordering=title&genre={drama.pk}")
    assert again.content == first.content
    # Another page of the same filters reuses the total: the page and its genres only.
    with django_assert_num_queries(2):
        second = api_client.get(
            "/api/v1/movies/", {"genre": drama.pk, "ordering": "title", "per_page": 2}
        )
    assert second.json()["pagination"] == {"page": 1, "per_page": 2, "total": 3, "pages": 2}

    MovieFactory(genres=[drama], title="Heat 2")
    with django_assert_num_queries(0):
        stale = api_client.get("/api/v1/movies/", {"genre": drama.pk, "ordering": "title"})
    assert stale.json()["pagination"]["total"] == 3
    catalog_lists_invalidate()  # what a sync or an editor's save does after commit
    fresh = api_client.get("/api/v1/movies/", {"genre": drama.pk, "ordering": "title"})
    assert fresh.json()["pagination"]["total"] == 4


@pytest.mark.parametrize("query", [{"year_min": "abc"}, {"ordering": "bogus"}, {"page": "0"}])
def test_invalid_filters_are_a_400_every_time_and_never_cached(api_client, query):
    MovieFactory()
    statuses = [api_client.get("/api/v1/movies/", query).status_code for _ in range(2)]
    assert statuses == [400, 400]


def test_a_text_search_in_the_movie_list_is_answered_live(api_client):
    movie = MovieFactory(title="Heat")
    assert len(api_client.get("/api/v1/movies/", {"q": "heat"}).json()["data"]) == 1
    movie.title = "Ronin"
    movie.save()
    assert api_client.get("/api/v1/movies/", {"q": "heat"}).json()["data"] == []


def test_a_logged_in_request_for_a_public_list_gets_this_processs_copy_of_the_bytes(
    api_client, auth_client, monkeypatch, django_assert_num_queries
):
    MovieFactory()
    anonymous = api_client.get("/api/v1/movies/popular/")
    auth_client.get("/api/v1/movies/popular/")  # from the cache; this process keeps a copy
    reads = []
    monkeypatch.setattr(
        "apps.core.fastpath.versioned_get", lambda *args, **kwargs: reads.append(args)
    )

    # The token's user is the shared copy the previous request made (apps.core.fastpath).
    with django_assert_num_queries(0):
        response = auth_client.get("/api/v1/movies/popular/")

    assert (response.status_code, reads) == (200, [])
    assert response.content == anonymous.content


def test_a_copy_kept_by_a_logged_in_request_serves_the_next_anonymous_one_compressed_or_not(
    api_client, auth_client
):
    movie = MovieFactory(overview="A heist in Los Angeles. " * 100)  # worth compressing
    path = f"/api/v1/movies/{movie.pk}/"
    auth_client.get(path)  # computes the public part and keeps this process's copy of it

    plain = api_client.get(path)
    compressed = api_client.get(path, HTTP_ACCEPT_ENCODING="gzip")

    assert (plain.status_code, compressed.status_code) == (200, 200)
    assert compressed["Content-Encoding"] == "gzip"
