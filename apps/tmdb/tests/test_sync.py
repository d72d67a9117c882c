import threading

import httpx
import pytest
from django.db import connection

from apps.catalog.models import (
    Genre,
    Movie,
    MovieCast,
    MovieCrew,
    MovieGenre,
    Person,
    TMDbList,
    TMDbListItem,
    TVShow,
    Video,
)
from apps.core.testing import postgres_only
from apps.tmdb import services
from apps.tmdb.exceptions import TMDbUnavailable
from apps.tmdb.tests.conftest import fixture_body
from apps.tmdb.upserts import movie_upsert, season_upsert, tv_show_upsert

pytestmark = pytest.mark.django_db

LIST_ROUTES = {
    "movie_popular": ("/movie/popular", "movie_popular.json"),
    "movie_top_rated": ("/movie/top_rated", "movie_top_rated.json"),
    "movie_upcoming": ("/movie/upcoming", "movie_upcoming.json"),
    "movie_now_playing": ("/movie/now_playing", "movie_now_playing.json"),
    "movie_trending_day": ("/trending/movie/day", "trending_movie_week.json"),
    "movie_trending_week": ("/trending/movie/week", "trending_movie_week.json"),
    "tv_popular": ("/tv/popular", "tv_popular.json"),
    "tv_top_rated": ("/tv/top_rated", "tv_top_rated.json"),
}
DETAILS = "movie_550_append_credits_keywords_release_dates.json"


@pytest.fixture
def genre_routes(tmdb_mock):
    tmdb_mock.get("/genre/movie/list").mock(
        return_value=httpx.Response(200, json=fixture_body("genre_movie_list.json"))
    )
    tmdb_mock.get("/genre/tv/list").mock(
        return_value=httpx.Response(200, json=fixture_body("genre_tv_list.json"))
    )
    return tmdb_mock


@pytest.mark.parametrize("key", list(LIST_ROUTES))
def test_each_list_sync_stores_a_snapshot_in_tmdb_order(key, genre_routes):
    path, fixture = LIST_ROUTES[key]
    body = fixture_body(fixture)
    genre_routes.get(path).mock(return_value=httpx.Response(200, json=body))

    stored = services.list_sync(key=key)

    items = TMDbListItem.objects.filter(tmdb_list__key=key).order_by("position")
    expected = list(dict.fromkeys(item["id"] for item in body["results"]))
    assert stored == len(expected)
    if key.startswith("tv_"):
        assert [i.show.tmdb_id for i in items.select_related("show")] == expected
    else:
        assert [i.movie.tmdb_id for i in items.select_related("movie")] == expected
    assert TMDbList.objects.get(key=key).synced_at is not None


def test_list_sync_links_movies_to_their_tmdb_genres(genre_routes):
    body = fixture_body("movie_popular.json")
    genre_routes.get("/movie/popular").mock(return_value=httpx.Response(200, json=body))

    services.list_sync(key="movie_popular")

    first = body["results"][0]
    movie = Movie.objects.get(tmdb_id=first["id"])
    assert sorted(movie.genres.values_list("tmdb_id", flat=True)) == sorted(first["genre_ids"])


def test_a_second_list_sync_replaces_the_snapshot_instead_of_appending(genre_routes):
    body = fixture_body("movie_popular.json")
    route = genre_routes.get("/movie/popular").mock(return_value=httpx.Response(200, json=body))
    services.list_sync(key="movie_popular")
    shorter = {**body, "results": list(reversed(body["results"][:3]))}
    route.mock(return_value=httpx.Response(200, json=shorter))
    from django.core.cache import cache

    cache.clear()  # the first body is cached for an hour; this is the next hour's sync

    services.list_sync(key="movie_popular")

    items = TMDbListItem.objects.filter(tmdb_list__key="movie_popular").order_by("position")
    assert [i.movie.tmdb_id for i in items] == [r["id"] for r in shorter["results"]]
    assert Movie.objects.count() == len(body["results"])


def test_failing_tmdb_leaves_the_previous_snapshot_and_the_database_untouched(
    genre_routes, no_sleep
):
    body = fixture_body("movie_popular.json")
    route = genre_routes.get("/movie/popular").mock(return_value=httpx.Response(200, json=body))
    services.list_sync(key="movie_popular")
    before = list(
        TMDbListItem.objects.filter(tmdb_list__key="movie_popular").values_list(
            "movie_id", "position"
        )
    )
    movies_before = list(Movie.objects.order_by("id").values())
    from django.core.cache import cache

    cache.clear()
    route.mock(return_value=httpx.Response(500))

    with pytest.raises(TMDbUnavailable):
        services.list_sync(key="movie_popular")

    after = list(
        TMDbListItem.objects.filter(tmdb_list__key="movie_popular").values_list(
            "movie_id", "position"
        )
    )
    assert after == before
    assert list(Movie.objects.order_by("id").values()) == movies_before


def test_movie_sync_stores_details_credits_videos_keywords_and_companies(tmdb_mock):
    body = fixture_body("movie_607_append.json")
    tmdb_mock.get("/movie/607").mock(return_value=httpx.Response(200, json=body))

    movie = services.movie_sync_from_tmdb(tmdb_id=607)

    assert movie.title == "Men in Black"
    assert MovieCast.objects.filter(movie=movie).count() == len(body["credits"]["cast"])
    assert Video.objects.filter(movie=movie).count() == len(body["videos"]["results"])
    assert movie.production_companies.count() == len(body["production_companies"])
    assert Person.objects.count() == len(
        {c["id"] for c in body["credits"]["cast"] + body["credits"]["crew"]}
    )


def test_syncing_a_movie_twice_changes_nothing_the_second_time(tmdb_mock):
    body = fixture_body(DETAILS)

    first = movie_upsert(data=body, details=True)
    counts = (MovieCast.objects.count(), MovieCrew.objects.count(), Person.objects.count())
    second = movie_upsert(data=body, details=True)

    assert first.pk == second.pk
    assert Movie.objects.count() == 1
    assert (MovieCast.objects.count(), MovieCrew.objects.count(), Person.objects.count()) == counts


def test_new_credits_replace_the_old_ones(tmdb_mock):
    body = fixture_body(DETAILS)
    movie = movie_upsert(data=body, details=True)
    trimmed = {
        **body,
        "credits": {"cast": body["credits"]["cast"][:2], "crew": body["credits"]["crew"][:1]},
    }

    movie_upsert(data=trimmed, details=True)

    assert list(MovieCast.objects.filter(movie=movie).values_list("credit_id", flat=True)) == [
        c["credit_id"] for c in body["credits"]["cast"][:2]
    ]
    assert MovieCrew.objects.filter(movie=movie).count() == 1


def test_a_list_item_never_blanks_details_a_previous_sync_stored(tmdb_mock):
    body = fixture_body(DETAILS)
    movie_upsert(data=body, details=True)

    movie_upsert(data={"id": 550, "title": "Fight Club", "popularity": 99.0, "genre_ids": [18]})

    movie = Movie.objects.get(tmdb_id=550)
    assert movie.runtime == 139
    assert movie.overview.startswith("A ticking-time-bomb")
    assert movie.popularity_score == 99.0
    assert movie.cast.count() == len(body["credits"]["cast"])


def test_tmdb_sync_keeps_movielens_genres_that_tmdb_does_not_have(tmdb_mock):
    noir = Genre.objects.create(name="Film-Noir", slug="film-noir")
    movie = Movie.objects.create(title="Fight Club", tmdb_id=550)
    MovieGenre.objects.create(movie=movie, genre=noir)

    movie_upsert(data=fixture_body(DETAILS), details=True)

    assert sorted(movie.genres.values_list("name", flat=True)) == ["Drama", "Film-Noir"]


def test_a_movielens_movie_known_by_imdb_id_is_adopted_not_duplicated(tmdb_mock):
    existing = Movie.objects.create(title="Fight Club", imdb_id="tt0137523", movielens_id=2959)

    movie = movie_upsert(data=fixture_body(DETAILS), details=True)

    assert movie.pk == existing.pk
    assert Movie.objects.get(pk=existing.pk).tmdb_id == 550


def test_enrichment_fills_movies_known_only_by_tmdb_id(tmdb_mock):
    known = Movie.objects.create(title="Fight Club", tmdb_id=550, movielens_id=2959)
    gone = Movie.objects.create(title="Lost", tmdb_id=999999, movielens_id=1)
    tmdb_mock.get("/movie/550").mock(return_value=httpx.Response(200, json=fixture_body(DETAILS)))
    tmdb_mock.get("/movie/999999").mock(
        return_value=httpx.Response(404, json=fixture_body("error_404_not_found.json"))
    )

    result = services.movies_enrich(limit=10)

    known.refresh_from_db()
    gone.refresh_from_db()
    assert result.enriched == 1
    assert result.not_found == [999999]
    assert result.remaining == 0
    assert known.poster_path and known.runtime == 139 and known.cast.exists()
    assert known.movielens_id == 2959
    assert gone.tmdb_synced_at is not None and gone.overview == ""


def test_enrichment_stops_at_an_outage_and_leaves_the_rest_for_later(tmdb_mock, no_sleep):
    for tmdb_id in (11, 12, 13):
        Movie.objects.create(title=f"m{tmdb_id}", tmdb_id=tmdb_id)
    route = tmdb_mock.get(url__regex=r"/movie/\d+").mock(return_value=httpx.Response(503))

    result = services.movies_enrich(limit=10)

    assert result.enriched == 0
    assert result.stopped_by
    assert result.remaining == 3
    assert route.call_count == 3  # one movie, retried; the batch stopped there


def test_tv_show_and_season_upserts_store_episodes_by_number(tmdb_mock):
    show = tv_show_upsert(data=fixture_body("tv_1396.json"))
    season_body = fixture_body("tv_3572_season_1.json")

    season = season_upsert(show=show, data=season_body)
    season_upsert(show=show, data=season_body)

    assert TVShow.objects.get().name == "Breaking Bad"
    assert season.episodes.count() == len({e["episode_number"] for e in season_body["episodes"]})
    assert show.seasons.count() == 1


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_workers_syncing_the_same_movie_at_once_create_one_row_with_every_field():
    body = fixture_body(DETAILS)
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def worker():
        try:
            barrier.wait()
            movie_upsert(data=body, details=True)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    movie = Movie.objects.get(tmdb_id=550)
    assert Movie.objects.count() == 1
    assert movie.runtime == 139 and movie.imdb_id == "tt0137523"
    assert movie.cast.count() == len(body["credits"]["cast"])
    assert movie.crew.count() == len(body["credits"]["crew"])
