"""Performance pins: how the anonymous fast path (apps.core.fastpath) stays fast.

These tests read internals on purpose (which layers a request goes through), so a refactoring
that keeps every behaviour may break them; the behaviour itself is tested in apps/ (``make
test``). They are run by ``make perf-test`` and by CI, not by ``make test``.
"""

from unittest import mock

import pytest
from rest_framework.views import APIView

from apps.catalog.tests.factories import MovieFactory

pytestmark = pytest.mark.django_db


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
    path = path.format(pk=MovieFactory().pk)
    assert api_client.get(path).status_code == 200  # computed through DRF, then stored

    with mock.patch.object(APIView, "initial", side_effect=AssertionError("took the DRF path")):
        assert api_client.get(path).status_code == 200
