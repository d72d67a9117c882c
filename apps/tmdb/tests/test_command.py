import http.server
import threading
from io import StringIO

import httpx
import pytest
from django.core.management import CommandError, call_command

from apps.catalog.models import Movie, TMDbList, TMDbListItem
from apps.tmdb.tests.conftest import fixture_body

pytestmark = pytest.mark.django_db


class _FailingHandler(http.server.BaseHTTPRequestHandler):
    hits = 0

    def do_GET(self):
        type(self).hits += 1
        self.send_response(500)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"status_code": 11, "status_message": "Internal error."}')

    def log_message(self, *args):
        return None


@pytest.fixture
def failing_server(tmdb_settings):
    """A real local HTTP server answering 500 to everything, as TMDB_BASE_URL."""
    _FailingHandler.hits = 0
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _FailingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    tmdb_settings.TMDB_BASE_URL = f"http://127.0.0.1:{server.server_address[1]}/3"
    yield _FailingHandler
    server.shutdown()
    server.server_close()


def test_command_without_tmdb_configured_says_so_and_fails(settings):
    settings.TMDB_ENABLED = False

    with pytest.raises(CommandError, match="TMDb is not configured"):
        call_command("sync_tmdb", "--lists", "popular")


def test_command_rejects_an_unknown_list_name(tmdb_settings):
    with pytest.raises(CommandError, match="Unknown list 'bogus'"):
        call_command("sync_tmdb", "--lists", "popular,bogus")


def test_command_syncs_the_named_lists(tmdb_mock):
    tmdb_mock.get("/movie/popular").mock(
        return_value=httpx.Response(200, json=fixture_body("movie_popular.json"))
    )
    trending = httpx.Response(200, json=fixture_body("trending_movie_week.json"))
    tmdb_mock.get("/trending/movie/day").mock(return_value=trending)
    tmdb_mock.get("/trending/movie/week").mock(return_value=trending)
    for path, name in (
        ("/genre/movie/list", "genre_movie_list"),
        ("/genre/tv/list", "genre_tv_list"),
    ):
        tmdb_mock.get(path).mock(
            return_value=httpx.Response(200, json=fixture_body(f"{name}.json"))
        )
    out = StringIO()

    call_command("sync_tmdb", "--lists", "popular,trending", stdout=out)

    assert set(TMDbList.objects.values_list("key", flat=True)) == {
        "movie_popular",
        "movie_trending_day",
        "movie_trending_week",
    }
    assert "list movie_popular: 20 items" in out.getvalue()


def test_command_fetches_one_movie_by_tmdb_id(tmdb_mock):
    tmdb_mock.get("/movie/550").mock(
        return_value=httpx.Response(
            200, json=fixture_body("movie_550_append_credits_keywords_release_dates.json")
        )
    )

    call_command("sync_tmdb", "--movie", "550", stdout=StringIO())

    assert Movie.objects.get(tmdb_id=550).cast.exists()


def test_command_against_a_server_failing_every_request_fails_cleanly_and_writes_nothing(
    failing_server, no_sleep
):
    kept = Movie.objects.create(title="Toy Story", tmdb_id=862, movielens_id=1)
    err = StringIO()

    with pytest.raises(CommandError, match="TMDb sync failed"):
        call_command(
            "sync_tmdb", "--lists", "popular,top_rated", "--enrich", stdout=StringIO(), stderr=err
        )

    assert failing_server.hits > 0
    assert "unavailable" in err.getvalue()
    assert list(Movie.objects.values_list("pk", "title", "tmdb_synced_at")) == [
        (kept.pk, "Toy Story", None)
    ]
    assert not TMDbList.objects.exists()
    assert not TMDbListItem.objects.exists()
