"""What catalog answers cost, pinned. Marked ``performance``: a failure here means an answer
got slower (more round trips to the cache), not wrong; the answers are tested elsewhere."""

from unittest import mock

import pytest
from django.core.cache import caches
from rest_framework.views import APIView

from apps.catalog.tests.factories import MovieFactory

pytestmark = [pytest.mark.django_db, pytest.mark.performance]


def test_a_page_of_movies_reads_the_image_base_from_the_cache_once_not_once_per_poster(
    api_client, monkeypatch
):
    for _ in range(5):
        MovieFactory(poster_path="/poster.jpg")
    backend = caches["default"]
    read = backend.get
    image_base_reads = []

    def counting_get(key, *args, **kwargs):
        if "image_base_url" in str(key):
            image_base_reads.append(key)
        return read(key, *args, **kwargs)

    monkeypatch.setattr(backend, "get", counting_get)

    response = api_client.get("/api/v1/movies/")

    assert len(response.json()["data"]) == 5
    assert len(image_base_reads) == 1


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/movies/popular/?per_page=2",
        "/api/v1/movies/trending/?window=day",
        "/api/v1/genres/",
        "/api/v1/movies/{pk}/",
        "/api/v1/movies/{pk}/similar/",
        "/api/v1/search/?q=movie&per_page=5",
    ],
)
def test_an_anonymous_hit_skips_drf(api_client, path):
    # What a hit sends is tested in test_cached_answers.py; this pins that it costs no DRF pass
    # (apps.core.fastpath).
    path = path.format(pk=MovieFactory().pk)
    assert api_client.get(path).status_code == 200  # computed through DRF, then stored

    with mock.patch.object(APIView, "initial", side_effect=AssertionError("took the DRF path")):
        assert api_client.get(path).status_code == 200
