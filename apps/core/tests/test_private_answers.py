"""Per-user answers carry Cache-Control: private and Vary: Authorization; anonymous cached answers
stay shareable (issue 11, item 15). Every GET operation of the schema is walked, so a route
added later is covered."""

import pytest
from django.http import HttpResponse
from django.utils.cache import cc_delim_re
from rest_framework.test import APIClient

from apps.core.private_answers import PrivateAnswersMiddleware
from apps.core.tests.routes import (
    REQUIRED_QUERY,
    SCHEMA_PARAMETER,
    path_fill,
    schema_operations,
    world_create,
)
from conftest import client_for

pytestmark = pytest.mark.django_db


def _vary(response) -> set[str]:
    return {value.lower() for value in cc_delim_re.split(response.get("Vary", "")) if value}


def _cache_control(response) -> set[str]:
    return {
        value.strip().lower()
        for value in response.get("Cache-Control", "").split(",")
        if value.strip()
    }


def _get_operations(world):
    for path, method, _operation in schema_operations():
        if method == "get":
            yield path, path_fill(path, world, SCHEMA_PARAMETER), REQUIRED_QUERY.get(path, {})


@pytest.fixture
def world(user):
    return world_create(user)


def test_every_answer_to_a_logged_in_request_is_private_and_varies_on_authorization(world, user):
    client = client_for(user)
    checked = []
    for path, url, query in _get_operations(world):
        response = client.get(url, query)
        assert "private" in _cache_control(response), (path, response.get("Cache-Control"))
        assert "public" not in _cache_control(response), path
        assert "authorization" in _vary(response), (path, response.get("Vary"))
        checked.append(path)

    assert {"/api/v1/me/", "/api/v1/me/favorites/", "/api/v1/movies/{movie_id}/"} <= set(checked)


def test_anonymous_answers_vary_on_authorization_and_are_not_marked_private(world):
    client = APIClient()
    served = 0
    for path, url, query in _get_operations(world):
        response = client.get(url, query)
        assert "authorization" in _vary(response), (path, response.get("Vary"))
        assert "private" not in _cache_control(response), path
        served += response.status_code == 200

    assert served > 20


def test_a_movie_detail_is_public_anonymously_and_private_with_a_token(world, user):
    url = f"/api/v1/movies/{world['movie'].pk}/"
    anonymous = APIClient()
    computed = anonymous.get(url)
    cached = anonymous.get(url)  # the cached bytes, served before DRF
    logged_in = client_for(user).get(url)

    assert computed.content == cached.content
    for response in (computed, cached):
        assert "authorization" in _vary(response)
        assert "private" not in _cache_control(response)
    assert "user_state" in logged_in.json()["data"]
    assert "private" in _cache_control(logged_in)
    assert "authorization" in _vary(logged_in)


def test_a_refused_token_is_private_too(world):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")

    response = client.get("/api/v1/me/")

    assert response.status_code == 401
    assert "private" in _cache_control(response)
    assert "authorization" in _vary(response)


def test_a_write_by_a_logged_in_user_is_private(world, user):
    response = client_for(user).post(f"/api/v1/movies/{world['movie'].pk}/like/")

    assert response.status_code in (200, 201)
    assert "private" in _cache_control(response)


def test_headers_set_before_are_kept_and_public_gives_way_to_private(rf):
    def view(request):
        response = HttpResponse(b"{}", content_type="application/json")
        response["Vary"] = "Accept-Encoding"
        response["Cache-Control"] = "public, max-age=60"
        return response

    request = rf.get("/api/v1/genres/", HTTP_AUTHORIZATION="Bearer x")
    response = PrivateAnswersMiddleware(view)(request)

    assert _vary(response) == {"accept-encoding", "authorization"}
    assert _cache_control(response) == {"private", "max-age=60"}


def test_answers_outside_the_api_are_left_alone(rf):
    response = PrivateAnswersMiddleware(lambda request: HttpResponse(b"ok"))(
        rf.get("/health/live", HTTP_AUTHORIZATION="Bearer x")
    )

    assert "Vary" not in response
    assert "Cache-Control" not in response
