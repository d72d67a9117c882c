"""JSON answers are gzip-compressed for clients that accept it (issue 11.19): the anonymous fast
path from compressed bytes kept beside its local copy (compressed once, not per request), every
other answer by Django's GZipMiddleware."""

import gzip

import pytest

from apps.catalog.tests.factories import MovieFactory
from apps.core import fastpath
from conftest import client_for

pytestmark = pytest.mark.django_db

POPULAR = "/api/v1/movies/popular/"
GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}


@pytest.fixture
def movies():
    return MovieFactory.create_batch(5)


def test_a_cached_answer_is_sent_compressed_to_a_client_that_accepts_gzip(api_client, movies):
    api_client.get(POPULAR)  # computed and stored
    plain = api_client.get(POPULAR)
    compressed = api_client.get(POPULAR, **GZIP)

    assert compressed.status_code == plain.status_code == 200
    assert compressed["Content-Encoding"] == "gzip"
    assert gzip.decompress(compressed.content) == plain.content
    assert len(compressed.content) < len(plain.content)
    assert not plain.has_header("Content-Encoding")
    for response in (plain, compressed):
        assert "Accept-Encoding" in response["Vary"]


@pytest.mark.performance
def test_the_fast_path_compresses_an_answer_once_not_per_request(api_client, movies, monkeypatch):
    api_client.get(POPULAR)
    calls = []
    real = fastpath.gzip.compress
    monkeypatch.setattr(fastpath.gzip, "compress", lambda *a, **k: calls.append(1) or real(*a, **k))

    bodies = {api_client.get(POPULAR, **GZIP).content for _ in range(10)}

    assert len(bodies) == 1
    assert len(calls) == 1


def test_an_answer_computed_now_is_compressed_too(api_client, movies):
    response = api_client.get(POPULAR, **GZIP)  # a miss: the DRF path
    assert response["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.content).startswith(b'{"success":true')


def test_a_per_user_answer_is_compressed(user, movies):
    client = client_for(user)
    plain = client.get("/api/v1/me/")
    compressed = client.get("/api/v1/me/", **GZIP)
    assert compressed["Content-Encoding"] == "gzip"
    assert gzip.decompress(compressed.content).decode().startswith('{"success":true')
    assert "Accept-Encoding" in plain["Vary"]


def test_a_client_that_does_not_accept_gzip_gets_plain_json(api_client, movies):
    for _ in range(2):
        response = api_client.get(POPULAR, HTTP_ACCEPT_ENCODING="identity")
        assert not response.has_header("Content-Encoding")
        assert response.json()["success"] is True


def test_short_answers_are_not_compressed(api_client):
    response = api_client.get("/health/live", **GZIP)
    assert not response.has_header("Content-Encoding")
