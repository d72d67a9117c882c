from decimal import Decimal

import pytest

from apps.catalog.cache import catalog_lists_invalidate
from apps.catalog.tests.factories import (
    CastFactory,
    CrewFactory,
    EpisodeFactory,
    GenreFactory,
    MovieFactory,
    PersonFactory,
    SeasonFactory,
    ShowFactory,
    TMDbListFactory,
    TMDbListItemFactory,
)

pytestmark = pytest.mark.django_db


def names(response) -> list[str]:
    return [row["name"] for row in response.json()["data"]]


def test_show_list_filters_by_genre_and_orders_by_allowed_values(
    api_client, django_assert_num_queries
):
    crime = GenreFactory(slug="crime")
    first = ShowFactory(name="The Wire", popularity_score=5, tmdb_rating=Decimal("9.3"))
    first.genres.add(crime)
    ShowFactory(name="Friends", popularity_score=9, tmdb_rating=Decimal("8.4"))
    ShowFactory(name="Hidden", popularity_score=99, is_active=False)

    with django_assert_num_queries(3):  # count, page, genres
        default = api_client.get("/api/v1/shows/")
    assert names(default) == ["Friends", "The Wire"]
    assert names(api_client.get("/api/v1/shows/", {"genre": "crime"})) == ["The Wire"]
    assert names(api_client.get("/api/v1/shows/", {"ordering": "-rating"})) == [
        "The Wire",
        "Friends",
    ]
    assert api_client.get("/api/v1/shows/", {"ordering": "votes"}).status_code == 400


def test_show_list_query_count_does_not_grow_with_the_page(api_client, django_assert_num_queries):
    genre = GenreFactory()
    for _ in range(25):
        ShowFactory().genres.add(genre)

    for per_page in (2, 20):
        with django_assert_num_queries(3):
            response = api_client.get("/api/v1/shows/", {"per_page": per_page})
        assert len(response.json()["data"]) == per_page


def test_top_rated_shows_use_the_snapshot_else_a_bayesian_tmdb_average(
    api_client, django_assert_num_queries
):
    ShowFactory(name="Few votes", tmdb_rating=Decimal("10"), tmdb_vote_count=1)
    many = ShowFactory(name="Many votes", tmdb_rating=Decimal("8.8"), tmdb_vote_count=5000)
    ShowFactory(name="Unrated", tmdb_rating=None, tmdb_vote_count=0)

    with django_assert_num_queries(4):  # snapshot check, count, page, genres
        local = api_client.get("/api/v1/shows/top-rated/")
    assert names(local) == ["Many votes", "Few votes"]

    snapshot = TMDbListFactory(key="tv_top_rated")
    TMDbListItemFactory(tmdb_list=snapshot, position=1, show=many)
    catalog_lists_invalidate()
    assert names(api_client.get("/api/v1/shows/top-rated/")) == ["Many votes"]


def test_show_detail_lists_its_seasons_and_a_season_its_episodes(
    api_client, django_assert_num_queries
):
    show = ShowFactory(name="Lost")
    second = SeasonFactory(show=show, season_number=2)
    SeasonFactory(show=show, season_number=1)
    for number in (2, 1, 3):
        EpisodeFactory(season=second, episode_number=number)

    with django_assert_num_queries(3):  # show, genres, seasons
        detail = api_client.get(f"/api/v1/shows/{show.pk}/")
    assert [season["season_number"] for season in detail.json()["data"]["seasons"]] == [1, 2]

    with django_assert_num_queries(3):  # season with show, episodes, guest stars
        season = api_client.get(f"/api/v1/shows/{show.pk}/seasons/2/")
    assert [episode["episode_number"] for episode in season.json()["data"]["episodes"]] == [
        1,
        2,
        3,
    ]


def test_unknown_season_and_inactive_show_are_404s(api_client):
    show = ShowFactory(is_active=False)
    SeasonFactory(show=show, season_number=1)
    live = ShowFactory()

    assert api_client.get(f"/api/v1/shows/{show.pk}/").status_code == 404
    assert api_client.get(f"/api/v1/shows/{show.pk}/seasons/1/").status_code == 404
    assert api_client.get(f"/api/v1/shows/{live.pk}/seasons/7/").status_code == 404


def test_popular_people_are_ordered_by_popularity(api_client, django_assert_num_queries):
    for popularity in (1, 30, 7):
        PersonFactory(name=f"P{popularity}", popularity=popularity)

    with django_assert_num_queries(2):  # count, page
        response = api_client.get("/api/v1/people/popular/")

    assert names(response) == ["P30", "P7", "P1"]


def test_person_detail_lists_known_for_movies_from_cast_and_crew(
    api_client, django_assert_num_queries
):
    person = PersonFactory(name="Clint Eastwood")
    acted = MovieFactory(title="Unforgiven", popularity_score=8)
    CastFactory(movie=acted, person=person)
    CrewFactory(movie=acted, person=person)
    directed = MovieFactory(title="Mystic River", popularity_score=9)
    CrewFactory(movie=directed, person=person)
    hidden = MovieFactory(title="Hidden", popularity_score=99, is_active=False)
    CastFactory(movie=hidden, person=person)

    with django_assert_num_queries(3):  # person, known-for movies, their genres
        response = api_client.get(f"/api/v1/people/{person.pk}/")

    data = response.json()["data"]
    assert data["name"] == "Clint Eastwood"
    assert [movie["title"] for movie in data["known_for"]] == ["Mystic River", "Unforgiven"]
    assert api_client.get("/api/v1/people/999999/").status_code == 404
