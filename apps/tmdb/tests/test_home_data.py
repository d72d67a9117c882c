"""The TMDb data the home page needs (issue 12 items 4 to 6, issue 11 item 18), replayed from
../shared/tmdb-fixtures: watch providers and videos, seasons and episodes, people's details,
MovieLens movies enriched on demand and in the background, favorites by TMDb id."""

import copy

import httpx
import pytest
from django.core.management import call_command
from django.utils import timezone

from apps.catalog.models import (
    Episode,
    EpisodeCast,
    Movie,
    MovieCast,
    MovieWatchProvider,
    Person,
    Season,
    TVShow,
    Video,
    WatchProvider,
)
from apps.catalog.tests.factories import MovieFactory, PersonFactory, ShowFactory
from apps.feed.sections import SectionContext, streaming
from apps.tmdb import mapping, services
from apps.tmdb.tests.conftest import fixture_body
from apps.tmdb.upserts import movie_upsert
from conftest import client_for

pytestmark = pytest.mark.django_db

MIB = "movie_607_append.json"
SEASON = "tv_3572_season_1.json"


def test_movie_details_store_watch_providers_per_country_and_offer():
    body = fixture_body(MIB)

    movie = movie_upsert(data=body, details=True)

    us = body["watch/providers"]["results"]["US"]
    stored = set(
        MovieWatchProvider.objects.filter(movie=movie, country="US").values_list(
            "provider__tmdb_id", "offer_type"
        )
    )
    expected = {(p["provider_id"], kind) for kind in ("flatrate", "rent", "buy") for p in us[kind]}
    assert stored == expected
    countries = set(MovieWatchProvider.objects.values_list("country", flat=True))
    assert countries == set(body["watch/providers"]["results"])
    assert WatchProvider.objects.get(tmdb_id=43).name == "Starz"
    # Fetched again: replaced, not added to.
    total = MovieWatchProvider.objects.count()
    movie_upsert(data=body, details=True)
    assert MovieWatchProvider.objects.count() == total
    assert Video.objects.filter(movie=movie).count() == len(body["videos"]["results"])


def test_streaming_lists_subscription_offers_of_the_country_with_their_providers():
    movie = movie_upsert(data=fixture_body(MIB), details=True)
    MovieFactory()  # nowhere to stream

    cards = streaming(SectionContext(country="US"), 20)

    assert [card["id"] for card in cards] == [movie.pk]
    names = [provider["name"] for provider in cards[0]["providers"]]
    assert names == ["Starz Play Amazon Channel", "Starz", "DIRECTV", "Spectrum On Demand"]
    assert cards[0]["providers"][1]["logo_url"].endswith("/w92/pDcaPupcS7YxKce2sQePrq8k1gK.jpg")
    assert streaming(SectionContext(country="XK"), 20) == []


def test_a_logged_in_users_streaming_section_follows_their_profile_country(user):
    body = copy.deepcopy(fixture_body(MIB))
    results = body["watch/providers"]["results"]
    body["watch/providers"]["results"] = {"FR": results["FR"]}
    movie = movie_upsert(data=body, details=True)
    user.profile.country = "fr"
    user.profile.save()

    def streaming_ids(client):
        sections = client.get("/api/v1/feed/home/").json()["data"]["sections"]
        return [c["id"] for c in next(s for s in sections if s["key"] == "streaming")["items"]]

    from rest_framework.test import APIClient

    assert streaming_ids(APIClient()) == []  # the site's country (US) has no offer
    assert streaming_ids(client_for(user)) == [movie.pk]


def _show_routes(tmdb_mock, tmdb_id=3572):
    season = fixture_body(SEASON)
    detail = {  # the show's details as TMDb sends them, reduced to what the sync reads
        "id": tmdb_id,
        "name": "Recorded show",
        "in_production": True,
        "status": "Returning Series",
        "seasons": [{"season_number": 1}],
    }
    tmdb_mock.get(f"/tv/{tmdb_id}").mock(return_value=httpx.Response(200, json=detail))
    route = tmdb_mock.get(f"/tv/{tmdb_id}/season/1").mock(
        return_value=httpx.Response(200, json=season)
    )
    return season, route


def test_sync_tmdb_shows_syncs_seasons_episodes_stills_and_guest_stars(tmdb_mock, api_client):
    show = ShowFactory(tmdb_id=3572, tmdb_synced_at=None)
    ShowFactory(tmdb_id=None, name="Made by an editor")  # no TMDb id: never asked
    season_body, _ = _show_routes(tmdb_mock)

    call_command("sync_tmdb", "--shows", stdout=open("/dev/null", "w"))  # noqa: SIM115

    season = Season.objects.get(show=show, season_number=1)
    episodes = list(Episode.objects.filter(season=season).order_by("episode_number"))
    assert len(episodes) == len(season_body["episodes"])
    first = season_body["episodes"][0]
    assert episodes[0].name == first["name"]
    assert episodes[0].air_date.isoformat() == first["air_date"]
    assert episodes[0].still_path == first["still_path"]
    guests = {g["id"] for g in first["guest_stars"]}
    stored = set(
        EpisodeCast.objects.filter(episode=episodes[0]).values_list("person__tmdb_id", flat=True)
    )
    assert stored == guests
    body = api_client.get(f"/api/v1/shows/{show.pk}/seasons/1/").json()["data"]
    assert body["episodes"][0]["still_url"].endswith(first["still_path"])
    assert len(body["episodes"][0]["guest_stars"]) == len(guests)
    show.refresh_from_db()
    assert show.tmdb_synced_at is not None and show.in_production


def test_airing_shows_are_synced_again_on_schedule_and_ended_ones_are_not(tmdb_mock):
    airing = ShowFactory(tmdb_id=3572, in_production=True, tmdb_synced_at=timezone.now())
    ended = ShowFactory(tmdb_id=4000, in_production=False)
    ended.tmdb_synced_at = timezone.now() - services.AIRING_RESYNC * 3
    ended.save()

    assert list(services.shows_to_sync()) == []
    TVShow.objects.filter(pk=airing.pk).update(
        tmdb_synced_at=timezone.now() - services.AIRING_RESYNC * 2
    )
    assert list(services.shows_to_sync()) == [airing]
    _, season_route = _show_routes(tmdb_mock)

    from apps.tmdb.tasks import tmdb_shows_sync

    assert tmdb_shows_sync() == 1
    assert season_route.call_count == 1
    assert list(services.shows_to_sync()) == []


def test_episode_reviews_work_on_a_synced_episode(tmdb_mock, user):
    ShowFactory(tmdb_id=3572)
    _show_routes(tmdb_mock)
    services.shows_sync(limit=5)
    episode = Episode.objects.get(episode_number=1)

    client = client_for(user)
    response = client.post(
        f"/api/v1/episodes/{episode.pk}/reviews/", {"rating": 8, "review": "Great pilot"}
    )

    assert response.status_code == 201, response.content
    listed = client.get(f"/api/v1/episodes/{episode.pk}/reviews/").json()["data"]
    assert listed["review_count"] == 1 and listed["results"][0]["episode_id"] == episode.pk


def test_people_page_fetches_details_on_demand_once(tmdb_mock, api_client):
    person = PersonFactory(tmdb_id=1, name="George Lucas", biography="")
    body = fixture_body("person_1.json")
    route = tmdb_mock.get("/person/1").mock(return_value=httpx.Response(200, json=body))

    data = api_client.get(f"/api/v1/people/{person.pk}/").json()["data"]
    again = api_client.get(f"/api/v1/people/{person.pk}/")

    assert route.call_count == 1
    assert route.calls[0].request.url.params["append_to_response"] == "images,combined_credits"
    assert data["biography"] == body["biography"]
    assert data["birthday"] == "1944-05-14"
    assert data["place_of_birth"] == "Modesto, California, USA"
    assert data["deathday"] is None
    assert again.status_code == 200


def test_people_page_answers_from_the_database_when_tmdb_is_down(tmdb_mock, api_client, no_sleep):
    person = PersonFactory(tmdb_id=1, name="George Lucas")
    tmdb_mock.get("/person/1").mock(return_value=httpx.Response(503))

    response = api_client.get(f"/api/v1/people/{person.pk}/")

    assert response.status_code == 200
    assert response.json()["data"]["name"] == "George Lucas"
    assert Person.objects.get(pk=person.pk).tmdb_synced_at is None  # asked again later


def test_person_images_and_known_for_credits_are_stored_from_appended_blocks():
    body = copy.deepcopy(fixture_body("person_1.json"))
    movie = fixture_body("movie_popular.json")["results"][0]
    body["images"] = {
        "profiles": [
            {"file_path": "/low.jpg", "vote_average": 1.0},
            {"file_path": "/high.jpg", "vote_average": 5.5},
        ]
    }
    body["combined_credits"] = {
        "cast": [{**movie, "media_type": "movie", "credit_id": "c1", "character": "Himself"}],
        "crew": [
            {**movie, "media_type": "movie", "credit_id": "c2", "job": "Director",
             "department": "Directing"},
            {"id": 1396, "media_type": "tv", "credit_id": "c3", "job": "Creator", "name": "TV"},
        ],
    }  # fmt: skip

    assert mapping.person_images(body) == ["/high.jpg", "/low.jpg"]
    from apps.tmdb.upserts import person_credits_add, person_upsert

    person = person_upsert(data=body)
    assert person_credits_add(person=person, data=body, limit=10) == 2
    assert person_credits_add(person=person, data=body, limit=10) == 0
    stored = Movie.objects.get(tmdb_id=movie["id"])
    assert MovieCast.objects.get(credit_id="c1").movie == stored
    assert person.profile_images == ["/high.jpg", "/low.jpg"]


def test_popular_people_sync_stores_the_list_and_fetches_details(tmdb_mock):
    popular = fixture_body("person_popular.json")
    tmdb_mock.get("/person/popular").mock(return_value=httpx.Response(200, json=popular))
    detail = copy.deepcopy(fixture_body("person_1.json"))
    first_id = popular["results"][0]["id"]
    detail["id"] = first_id
    tmdb_mock.get(f"/person/{first_id}").mock(return_value=httpx.Response(200, json=detail))
    top = max(popular["results"], key=lambda p: p["popularity"])
    assert top["id"] == first_id

    result = services.people_popular_sync(details=1)

    assert result.done == 1
    assert Person.objects.count() == len({p["id"] for p in popular["results"]})
    assert Person.objects.get(tmdb_id=first_id).biography == detail["biography"]


def _movielens_stub() -> Movie:
    return Movie.objects.create(tmdb_id=550, movielens_id=2959, title="Fight Club (1999)")


def test_movies_tmdb_id_enriches_a_movielens_movie_on_demand(tmdb_mock, api_client):
    stub = _movielens_stub()
    body = fixture_body("movie_550_append_credits_keywords_release_dates.json")
    tmdb_mock.get("/movie/550").mock(return_value=httpx.Response(200, json=body))

    data = api_client.get("/api/v1/movies/tmdb/550/").json()["data"]

    assert data["id"] == stub.pk
    assert data["overview"] == body["overview"]
    assert data["poster_url"].endswith(body["poster_path"])
    assert len(data["cast"]) == 10
    assert Movie.objects.get(pk=stub.pk).movielens_id == 2959


@pytest.mark.parametrize(("status", "checked"), [(404, True), (503, False)])
def test_movies_tmdb_id_answers_the_stub_when_tmdb_cannot_enrich(
    tmdb_mock, api_client, no_sleep, status, checked
):
    stub = _movielens_stub()
    tmdb_mock.get("/movie/550").mock(
        return_value=httpx.Response(status, json=fixture_body("error_404_not_found.json"))
    )

    response = api_client.get("/api/v1/movies/tmdb/550/")

    assert response.status_code == 200
    assert response.json()["data"]["title"] == "Fight Club (1999)"
    assert (Movie.objects.get(pk=stub.pk).tmdb_synced_at is not None) is checked


def test_first_detail_view_enriches_in_the_background_without_delaying_the_answer(
    tmdb_mock, api_client, django_capture_on_commit_callbacks
):
    stub = _movielens_stub()
    body = fixture_body("movie_550_append_credits_keywords_release_dates.json")
    route = tmdb_mock.get("/movie/550").mock(return_value=httpx.Response(200, json=body))

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = api_client.get(f"/api/v1/movies/{stub.pk}/")

    assert first.json()["data"]["overview"] == ""  # answered before any TMDb call
    assert route.call_count == 0
    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:  # the request's transaction commits: the task runs (eager)
            callback()
    assert route.call_count == 1
    second = api_client.get(f"/api/v1/movies/{stub.pk}/").json()["data"]
    assert second["overview"] == body["overview"]
    # Scheduled once: another miss in the meantime does not ask again.
    assert services.movie_enrich_schedule(movie_id=stub.pk, tmdb_id=550) is False


def test_sync_tmdb_enrich_fills_movielens_movies(tmdb_mock):
    stub = _movielens_stub()
    body = fixture_body("movie_550_append_credits_keywords_release_dates.json")
    tmdb_mock.get("/movie/550").mock(return_value=httpx.Response(200, json=body))

    call_command("sync_tmdb", "--enrich", stdout=open("/dev/null", "w"))  # noqa: SIM115

    stub.refresh_from_db()
    assert stub.poster_path == body["poster_path"] and stub.tmdb_synced_at is not None
    assert MovieCast.objects.filter(movie=stub).count() == len(body["credits"]["cast"])


def test_favoriting_a_tmdb_id_not_stored_fetches_it(
    tmdb_mock, user, django_capture_on_commit_callbacks
):
    body = fixture_body("movie_550_append_credits_keywords_release_dates.json")
    route = tmdb_mock.get("/movie/550").mock(return_value=httpx.Response(200, json=body))
    client = client_for(user)

    created = client.post("/api/v1/movies/tmdb/550/favorite/", {"notes": "classic"})
    again = client.post("/api/v1/movies/tmdb/550/favorite/", {"notes": "classic"})

    assert created.status_code == 201, created.content
    assert again.status_code == 200
    assert route.call_count == 1
    movie = Movie.objects.get(tmdb_id=550)
    assert movie.title == "Fight Club"
    favorites = client.get("/api/v1/me/favorites/").json()["data"]
    assert [item["movie"]["id"] for item in favorites] == [movie.pk]
    # Committed, as a request's write is: the user's cached favorites page is dropped then.
    with django_capture_on_commit_callbacks(execute=True):
        removed = client.delete("/api/v1/movies/tmdb/550/favorite/")
    assert removed.status_code == 200
    assert client.get("/api/v1/me/favorites/").json()["data"] == []


@pytest.mark.parametrize(("status", "expected"), [(404, 404), (503, 503)])
def test_favoriting_a_tmdb_id_tmdb_cannot_give_is_an_error_and_stores_nothing(
    tmdb_mock, user, no_sleep, status, expected
):
    tmdb_mock.get("/movie/999").mock(
        return_value=httpx.Response(status, json=fixture_body("error_404_not_found.json"))
    )

    response = client_for(user).post("/api/v1/movies/tmdb/999/favorite/", {})

    assert response.status_code == expected
    assert not Movie.objects.filter(tmdb_id=999).exists()


def test_favoriting_by_tmdb_id_needs_a_login(api_client):
    assert api_client.post("/api/v1/movies/tmdb/550/favorite/", {}).status_code == 401


def test_new_tmdb_writes_pass_the_value_validation():
    body = copy.deepcopy(fixture_body(MIB))
    us = body["watch/providers"]["results"]["US"]
    us["flatrate"][0]["logo_path"] = "https://elsewhere.example/x.png"
    us["flatrate"][0]["provider_name"] = "Star\x00z"
    movie = movie_upsert(data=body, details=True)
    provider = WatchProvider.objects.get(tmdb_id=us["flatrate"][0]["provider_id"])
    assert provider.logo_path is None and provider.name == "Starz"
    assert MovieWatchProvider.objects.filter(movie=movie).exists()

    person_body = copy.deepcopy(fixture_body("person_1.json"))
    person_body["images"] = {
        "profiles": [{"file_path": "../../etc/x.jpg"}, {"file_path": "/ok.jpg"}]
    }
    from apps.tmdb.upserts import person_upsert

    assert person_upsert(data=person_body).profile_images == ["/ok.jpg"]

    season = copy.deepcopy(fixture_body(SEASON))
    season["episodes"][0]["guest_stars"][0]["character"] = "Bad\x07guy"
    show = ShowFactory(tmdb_id=3572)
    from apps.tmdb.upserts import season_upsert

    season_upsert(show=show, data=season)
    first = season["episodes"][0]["guest_stars"][0]
    assert (
        EpisodeCast.objects.get(person__tmdb_id=first["id"], episode__episode_number=1).character
        == "Badguy"
    )
