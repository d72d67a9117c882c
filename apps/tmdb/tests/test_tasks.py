import httpx
import pytest
from django.conf import settings as django_settings

from apps.catalog.models import Movie, Season, TMDbListItem, TVShow
from apps.tmdb import services, tasks
from apps.tmdb.tests.conftest import fixture_body
from config.celery import app

pytestmark = pytest.mark.django_db


def test_every_tmdb_beat_entry_names_a_registered_task_with_valid_list_keys():
    app.loader.import_default_modules()
    entries = {
        name: entry
        for name, entry in django_settings.CELERY_BEAT_SCHEDULE.items()
        if name.startswith("tmdb-")
    }

    assert len(entries) == 7
    for entry in entries.values():
        assert entry["task"] in app.tasks
        for arg in entry.get("args", []):
            keys = arg if isinstance(arg, list) else [arg]
            assert set(keys) <= set(services.LISTS)
    covered = {
        key
        for entry in entries.values()
        for arg in entry.get("args", [])
        for key in (arg if isinstance(arg, list) else [arg])
    }
    assert covered == set(services.LISTS)


def test_tasks_do_nothing_without_tmdb_configured(settings, tmdb_mock):
    settings.TMDB_ENABLED = False
    route = tmdb_mock.get(url__regex=r".*")

    assert tasks.tmdb_list_sync("movie_popular") == 0
    assert tasks.tmdb_lists_sync() == 0
    assert tasks.tmdb_movie_sync(550) is None
    assert tasks.tmdb_movies_enrich() == 0
    assert tasks.tmdb_genres_sync() == 0
    assert route.call_count == 0


def test_list_task_stores_the_snapshot(tmdb_mock):
    tmdb_mock.get("/tv/popular").mock(
        return_value=httpx.Response(200, json=fixture_body("tv_popular.json"))
    )

    stored = tasks.tmdb_list_sync.delay("tv_popular").get()

    assert stored == TMDbListItem.objects.filter(tmdb_list__key="tv_popular").count() > 0


def test_an_outage_ends_the_task_quietly_and_the_next_run_retries(tmdb_mock, no_sleep):
    tmdb_mock.get("/movie/popular").mock(return_value=httpx.Response(500))
    tmdb_mock.get("/movie/550").mock(return_value=httpx.Response(500))

    assert tasks.tmdb_lists_sync(["movie_popular", "movie_top_rated"]) == 0
    assert tasks.tmdb_movie_sync(550) is None
    assert not Movie.objects.exists()


def test_show_sync_with_seasons_stores_each_season_and_its_episodes(tmdb_mock):
    show_body = {**fixture_body("tv_1396.json"), "seasons": [{"season_number": 1}]}
    season_body = fixture_body("tv_3572_season_1.json")
    tmdb_mock.get("/tv/1396").mock(return_value=httpx.Response(200, json=show_body))
    tmdb_mock.get("/tv/1396/season/1").mock(return_value=httpx.Response(200, json=season_body))

    show = services.tv_show_sync_from_tmdb(tmdb_id=1396, seasons=True)

    assert TVShow.objects.get().pk == show.pk
    season = Season.objects.get(show=show, season_number=1)
    assert season.episodes.count() == len(season_body["episodes"])
    assert show.genres.exists()
