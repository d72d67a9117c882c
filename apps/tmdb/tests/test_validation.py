"""Values from TMDb are checked before they are stored (issue 11 item 8).

Recorded TMDb bodies are replayed with respx, with hostile values put where TMDb puts URLs,
image paths and text; every sync path must store only what the column allows.
"""

import copy

import httpx
import pytest

from apps.catalog.models import (
    Episode,
    Movie,
    MovieCast,
    Person,
    ProductionCompany,
    Season,
    TVShow,
    Video,
)
from apps.tmdb import services
from apps.tmdb.tests.conftest import fixture_body
from apps.tmdb.upserts import season_upsert, tv_show_upsert
from apps.tmdb.validation import tmdb_fields, tmdb_value

HOSTILE_URLS = [
    "javascript:alert(document.cookie)",
    " JaVaScRiPt:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "//evil.example/x",
    "/relative/only",
    "https://",
    "http://exa mple.com/",
    'https://example.com/"onmouseover="alert(1)',
    "https://example.com/" + "a" * 600,
    {"href": "https://example.com"},
    ["https://example.com"],
    True,
]
HOSTILE_PATHS = [
    "../../../etc/passwd",
    "/../../etc/passwd.jpg",
    "/a/b.jpg",
    "https://evil.example/poster.jpg",
    "//evil.example/poster.jpg",
    "javascript:alert(1)//.jpg",
    "/poster.jpg?x=1",
    "/poster.exe",
    "/%2e%2e/x.jpg",
    "/poster.jpg\x00.png",
    {"path": "/x.jpg"},
]
HTML = '<script>alert("x")</script><img src=x onerror=alert(1)><b>Bold</b> &amp; more'


@pytest.mark.parametrize("value", HOSTILE_URLS, ids=range(len(HOSTILE_URLS)))
def test_only_absolute_web_urls_are_kept_in_a_url_column(value):
    assert tmdb_value(Movie, "homepage", value) == ""


@pytest.mark.parametrize(
    "value", ["https://www.foxmovies.com/movies/fight-club", "http://example.com/a?b=c#d"]
)
def test_web_urls_are_kept(value):
    assert tmdb_value(Movie, "homepage", value) == value


@pytest.mark.parametrize("value", HOSTILE_PATHS, ids=range(len(HOSTILE_PATHS)))
def test_only_tmdb_shaped_paths_are_kept_in_an_image_path_column(value):
    assert tmdb_value(Movie, "poster_path", value) is None
    assert tmdb_value(Person, "profile_path", value) is None


@pytest.mark.parametrize(
    "value", ["/pB8BM7pdSp6B6Ih7QZ4DrQ3PmJK.jpg", "/71BqEFAF4V3qjjMPCpLuyJFB9A.png", "/a_b-c.svg"]
)
def test_tmdb_image_paths_are_kept(value):
    assert tmdb_value(Movie, "backdrop_path", value) == value


def test_html_is_stored_as_the_literal_text_it_is():
    assert tmdb_value(Movie, "overview", HTML) == HTML


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        ({"$gt": ""}, ""),
        (["a", "b"], ""),
        (True, ""),
        (None, ""),
        (1999, "1999"),
        ("  Fight\x00 Club\x07 ", "Fight Club"),
        ("line one\nline two\ttab", "line one\nline two\ttab"),
        ("lone \ud800 surrogate", "lone  surrogate"),
        ("x" * 1000, "x" * 200),
    ],
)
def test_text_columns_get_text_only(value, stored):
    assert tmdb_value(Movie, "title", value) == stored


@pytest.mark.parametrize("value", ["CqCkDKS1E2c", "dQw4w9WgXcQ"])
def test_video_keys_are_url_tokens(value):
    assert tmdb_value(Video, "key", value) == value
    assert tmdb_value(Video, "key", value + '&list=x"') == ""


def test_checking_twice_changes_nothing_and_non_text_columns_pass_through():
    row = {"title": "A\x00b", "homepage": "ftp://x", "poster_path": "/p.jpg", "runtime": 139}
    once = tmdb_fields(Movie, row)
    assert once == {"title": "Ab", "homepage": "", "poster_path": "/p.jpg", "runtime": 139}
    assert tmdb_fields(Movie, once) == once


# Every sync path, with recorded bodies made hostile ---------------------------------------


def _hostile_movie(name: str) -> dict:
    body = copy.deepcopy(fixture_body(name))
    body["homepage"] = "javascript:alert(document.cookie)"
    body["poster_path"] = "../../../etc/passwd"
    body["backdrop_path"] = "https://evil.example/backdrop.jpg"
    body["overview"] = HTML
    body["tagline"] = {"html": "<b>tag</b>"}
    body["title"] = "Men in\x00 Black"
    body["credits"]["cast"][0]["profile_path"] = "/../../x.jpg"
    body["credits"]["cast"][0]["character"] = ["Agent", "K"]
    body["production_companies"][0]["logo_path"] = "javascript:alert(1)//.png"
    body["videos"]["results"][0]["key"] = 'x" onerror="alert(1)'
    return body


@pytest.mark.django_db
def test_the_on_demand_fetch_stores_only_checked_values(tmdb_mock, api_client):
    body = _hostile_movie("movie_607_append.json")
    tmdb_mock.get("/movie/607").mock(return_value=httpx.Response(200, json=body))

    response = api_client.get("/api/v1/movies/tmdb/607/")

    assert response.status_code == 200
    movie = Movie.objects.get(tmdb_id=607)
    assert movie.homepage == ""
    assert movie.poster_path is None and movie.backdrop_path is None
    assert movie.overview == HTML
    assert movie.tagline == ""
    assert movie.title == "Men in Black"
    cast = body["credits"]["cast"][0]
    assert Person.objects.get(tmdb_id=cast["id"]).profile_path is None
    assert MovieCast.objects.get(credit_id=cast["credit_id"]).character == ""
    company = body["production_companies"][0]
    assert ProductionCompany.objects.get(tmdb_id=company["id"]).logo_path is None
    assert not Video.objects.filter(tmdb_id=body["videos"]["results"][0]["id"]).exists()
    assert Video.objects.filter(movie=movie).exists()  # the others were kept
    data = response.json()["data"]
    assert data["overview"] == HTML  # JSON text, never rendered or escaped
    assert data["homepage"] == ""
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.django_db
def test_a_list_sync_stores_only_checked_values(tmdb_mock):
    body = copy.deepcopy(fixture_body("movie_popular.json"))
    body["results"][0]["poster_path"] = "https://evil.example/p.jpg"
    body["results"][0]["overview"] = HTML
    body["results"][1]["backdrop_path"] = "/../../b.jpg"
    tmdb_mock.get("/movie/popular").mock(return_value=httpx.Response(200, json=body))
    for path, name in (
        ("/genre/movie/list", "genre_movie_list"),
        ("/genre/tv/list", "genre_tv_list"),
    ):
        tmdb_mock.get(path).mock(
            return_value=httpx.Response(200, json=fixture_body(f"{name}.json"))
        )

    services.list_sync(key="movie_popular")

    first = Movie.objects.get(tmdb_id=body["results"][0]["id"])
    assert first.poster_path is None and first.overview == HTML
    assert Movie.objects.get(tmdb_id=body["results"][1]["id"]).backdrop_path is None
    kept = Movie.objects.get(tmdb_id=body["results"][2]["id"])
    assert kept.poster_path == body["results"][2]["poster_path"]


@pytest.mark.django_db
def test_show_and_season_syncs_store_only_checked_values():
    show_body = copy.deepcopy(fixture_body("tv_1396.json"))
    show_body["poster_path"] = "javascript:alert(1)"
    show_body["name"] = {"x": 1}
    season_body = copy.deepcopy(fixture_body("tv_3572_season_1.json"))
    season_body["poster_path"] = "/../p.jpg"
    season_body["name"] = "Season\x00 1"
    season_body["episodes"][0]["still_path"] = "https://evil.example/s.jpg"
    season_body["episodes"][0]["overview"] = HTML

    show = tv_show_upsert(data=show_body)
    season = season_upsert(show=show, data=season_body)

    show = TVShow.objects.get(pk=show.pk)
    assert show.poster_path is None
    assert show.name == show_body["original_name"]
    season = Season.objects.get(pk=season.pk)
    assert season.poster_path is None and season.name == "Season 1"
    episode = Episode.objects.get(
        season=season, episode_number=season_body["episodes"][0]["episode_number"]
    )
    assert episode.still_path is None and episode.overview == HTML
