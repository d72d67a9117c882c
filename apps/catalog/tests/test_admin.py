import pytest
from django.test import Client

from apps.accounts.tests.factories import UserFactory
from apps.catalog.models import Movie
from apps.catalog.tests.factories import (
    CastFactory,
    CrewFactory,
    EpisodeFactory,
    GenreFactory,
    MovieFactory,
    PersonFactory,
    SeasonFactory,
    ShowFactory,
    VideoFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client() -> Client:
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def queries_for(client, django_assert_max_num_queries, url, budget) -> int:
    with django_assert_max_num_queries(budget) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    ("url", "make"),
    [
        ("/admin/catalog/movie/", lambda: MovieFactory(genres=[GenreFactory()])),
        ("/admin/catalog/person/", PersonFactory),
        ("/admin/catalog/genre/", GenreFactory),
        ("/admin/catalog/tvshow/", ShowFactory),
        ("/admin/catalog/season/", SeasonFactory),
        ("/admin/catalog/episode/", EpisodeFactory),
    ],
)
def test_admin_changelists_do_not_query_per_row(
    editor_client, django_assert_max_num_queries, url, make
):
    make()
    with_one = queries_for(editor_client, django_assert_max_num_queries, url, 30)
    for _ in range(15):
        make()

    assert queries_for(editor_client, django_assert_max_num_queries, url, 30) == with_one


def test_admin_search_finds_a_movie_by_title(editor_client):
    MovieFactory(title="Chinatown")
    MovieFactory(title="Vertigo")

    response = editor_client.get("/admin/catalog/movie/", {"q": "china"})

    assert b"Chinatown" in response.content
    assert b"Vertigo" not in response.content


def test_movie_change_page_shows_cast_crew_video_and_genre_inlines(editor_client):
    movie = MovieFactory(genres=[GenreFactory(name="Noir")])
    CastFactory(movie=movie, person=PersonFactory(name="Jack Nicholson"))
    CrewFactory(movie=movie, person=PersonFactory(name="Roman Polanski"))
    VideoFactory(movie=movie, name="Teaser one")

    response = editor_client.get(f"/admin/catalog/movie/{movie.pk}/change/")

    assert response.status_code == 200
    for text in (b"Jack Nicholson", b"Roman Polanski", b"Teaser one", b"Noir"):
        assert text in response.content


def test_mark_original_action_updates_the_movies_and_drops_cached_answers(
    editor_client, api_client, django_capture_on_commit_callbacks
):
    movie = MovieFactory(title="Exclusive")
    other = MovieFactory(title="Regular")
    assert api_client.get(f"/api/v1/movies/{movie.pk}/").json()["data"]["is_original"] is False
    api_client.get("/api/v1/movies/popular/")

    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            "/admin/catalog/movie/",
            {"action": "mark_original", "_selected_action": [movie.pk]},
        )

    assert response.status_code == 302
    assert Movie.objects.get(pk=movie.pk).is_original is True
    assert Movie.objects.get(pk=other.pk).is_original is False
    assert api_client.get(f"/api/v1/movies/{movie.pk}/").json()["data"]["is_original"] is True
    popular = api_client.get("/api/v1/movies/popular/").json()["data"]
    assert {row["title"]: row["is_original"] for row in popular}["Exclusive"] is True


def test_hiding_a_movie_in_the_admin_makes_its_detail_a_404(
    editor_client, api_client, django_capture_on_commit_callbacks
):
    movie = MovieFactory()
    assert api_client.get(f"/api/v1/movies/{movie.pk}/").status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(
            "/admin/catalog/movie/", {"action": "deactivate", "_selected_action": [movie.pk]}
        )

    assert api_client.get(f"/api/v1/movies/{movie.pk}/").status_code == 404
