import pytest
from django.db import connection

from apps.catalog.tests.factories import MovieFactory, PersonFactory, ShowFactory
from apps.core.testing import postgres_only

pytestmark = pytest.mark.django_db


def names(response, field="title") -> list[str]:
    return [row[field] for row in response.json()["data"]]


def seed_movies():
    for title, popularity in [
        ("The Matrix Reloaded", 50),
        ("The Matrix Revolutions", 40),
        ("The Matrix", 30),
        ("The Animatrix", 20),
        ("The Godfather: Part II", 60),
        ("The Godfather", 55),
        ("Alien", 90),
    ]:
        MovieFactory(title=title, popularity_score=popularity)


def test_search_finds_movies_by_part_of_the_title_ignoring_case(api_client):
    seed_movies()

    response = api_client.get("/api/v1/search/", {"q": "MATRIX"})

    assert response.status_code == 200
    assert names(response)[0] == "The Matrix"
    assert "Alien" not in names(response)


def test_search_finds_shows_and_people_by_type(api_client):
    ShowFactory(name="Breaking Bad")
    ShowFactory(name="The Wire")
    PersonFactory(name="Bryan Cranston")
    PersonFactory(name="Aaron Paul")

    shows = api_client.get("/api/v1/search/", {"q": "breaking", "type": "show"})
    people = api_client.get("/api/v1/search/", {"q": "cranston", "type": "person"})

    assert names(shows, "name") == ["Breaking Bad"]
    assert names(people, "name") == ["Bryan Cranston"]


def test_search_never_returns_inactive_movies(api_client):
    MovieFactory(title="Hidden Matrix", is_active=False)

    assert names(api_client.get("/api/v1/search/", {"q": "matrix"})) == []


@pytest.mark.parametrize(
    "query",
    [{}, {"q": ""}, {"q": "   "}, {"q": "x" * 201}, {"q": "matrix", "type": "planet"}],
)
def test_missing_empty_long_or_mistyped_search_is_a_400(api_client, query):
    response = api_client.get("/api/v1/search/", query)

    assert response.status_code == 400
    assert response.json()["success"] is False


@pytest.mark.parametrize("query", ["q=mat%00rix", "q=mat%1Frix", "q=mat%7Frix"])
def test_search_with_control_characters_is_a_400(api_client, query):
    response = api_client.get(f"/api/v1/search/?{query}")

    assert response.status_code == 400


def test_a_200_character_query_is_accepted(api_client):
    assert api_client.get("/api/v1/search/", {"q": "m" * 200}).status_code == 200


def test_search_pins_its_queries_for_any_page_size(api_client, django_assert_num_queries):
    for number in range(30):
        MovieFactory(title=f"Star Trek {number}")
    # A savepoint and its release wrap the search; PostgreSQL adds the threshold setting.
    queries = 6 if connection.vendor == "postgresql" else 5

    for per_page in (2, 20):
        with django_assert_num_queries(queries):
            response = api_client.get("/api/v1/search/", {"q": "star trek", "per_page": per_page})
        assert len(response.json()["data"]) == per_page


@postgres_only
def test_postgres_search_forgives_a_typo(api_client):
    seed_movies()

    response = api_client.get("/api/v1/search/", {"q": "godfahter"})

    assert names(response)[0] == "The Godfather"
    assert "The Godfather: Part II" in names(response)
    assert "Alien" not in names(response)


@postgres_only
def test_postgres_search_puts_the_exact_title_first(api_client):
    seed_movies()

    response = api_client.get("/api/v1/search/", {"q": "matrix"})

    assert names(response)[0] == "The Matrix"
    assert set(names(response)[1:3]) == {"The Matrix Reloaded", "The Matrix Revolutions"}


@postgres_only
def test_postgres_search_finds_people_with_a_misspelt_name(api_client):
    PersonFactory(name="Keanu Reeves")
    PersonFactory(name="Carrie-Anne Moss")

    response = api_client.get("/api/v1/search/", {"q": "keanu reevs", "type": "person"})

    assert names(response, "name") == ["Keanu Reeves"]


@postgres_only
def test_postgres_search_indexes_exist():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE %s", ["idx_%_search"])
        full_text = {row[0] for row in cursor.fetchall()}
        cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE %s", ["idx_%_trgm"])
        trigram = {row[0] for row in cursor.fetchall()}

    assert {"idx_movies_title_search", "idx_persons_name_search"} <= full_text
    assert trigram == {"idx_movies_title_trgm", "idx_persons_name_trgm", "idx_tv_shows_name_trgm"}
