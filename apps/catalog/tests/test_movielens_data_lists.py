"""Lists that looked wrong on MovieLens data (issue 11 item 18, bullets 1 and 2, and the rating
ordering that followed).

MovieLens imports have no TMDb popularity (0 for every movie), no TMDb rating and no TMDb
votes: only our users' ratings (``rating_count``, ``our_rating``). These movies are built that
way, the most rated one first (lowest id), so an order that falls back to the id puts the last
imported movies first.
"""

import json
from decimal import Decimal

import pytest
from django.db import connection, transaction

from apps.catalog.filters import MovieFilter
from apps.catalog.selectors import movie_summary_queryset
from apps.catalog.tests.factories import GenreFactory, MovieFactory
from apps.core.testing import postgres_only

pytestmark = pytest.mark.django_db


def movielens_movie(title: str, *, rating_count: int = 0, our_rating: str | None = None, **extra):
    return MovieFactory(
        title=title,
        popularity_score=0.0,
        tmdb_rating=None,
        tmdb_vote_count=0,
        rating_count=rating_count,
        rating_sum=Decimal(our_rating or 0) * rating_count,
        our_rating=Decimal(our_rating) if our_rating else None,
        **extra,
    )


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [movie["id"] for movie in response.json()["data"]]


@pytest.fixture
def movielens_catalog():
    """Imported in this order: the most rated first, then less and less rated ones."""
    return [
        movielens_movie("Forrest Gump", rating_count=329, our_rating="4.2"),
        movielens_movie("Pulp Fiction", rating_count=307, our_rating="4.2"),
        movielens_movie("Liked a lot", rating_count=40, our_rating="3.9", like_count=30),
        movielens_movie("Obscure", rating_count=2, our_rating="3.0"),
        movielens_movie("Never rated"),
    ]


def test_ordering_by_popularity_is_the_popular_list_not_the_last_imported_ids(
    api_client, movielens_catalog
):
    by_ordering = ids(api_client.get("/api/v1/movies/", {"ordering": "-popularity"}))
    popular = ids(api_client.get("/api/v1/movies/popular/"))

    gump, pulp, liked, obscure, never = (movie.pk for movie in movielens_catalog)
    assert popular == [gump, pulp, liked, obscure, never]
    assert by_ordering == popular
    assert ids(api_client.get("/api/v1/movies/")) == popular  # the default ordering too


def test_ascending_popularity_is_the_exact_reverse(api_client, movielens_catalog):
    ascending = ids(api_client.get("/api/v1/movies/", {"ordering": "popularity"}))
    descending = ids(api_client.get("/api/v1/movies/", {"ordering": "-popularity"}))

    assert ascending == descending[::-1]


def test_popularity_ordering_still_uses_tmdb_popularity_where_engagement_ties(api_client):
    low = MovieFactory(title="Low", popularity_score=3.0)
    high = MovieFactory(title="High", popularity_score=90.0)

    assert ids(api_client.get("/api/v1/movies/", {"ordering": "-popularity"})) == [
        high.pk,
        low.pk,
    ]


def test_popularity_ordering_query_count_is_pinned(
    api_client, movielens_catalog, django_assert_num_queries
):
    with django_assert_num_queries(3):  # count, page, genres
        api_client.get("/api/v1/movies/", {"ordering": "-popularity", "per_page": 3})


def test_rating_min_falls_back_to_our_rating_for_movies_tmdb_never_rated(api_client):
    loved = movielens_movie("Loved", rating_count=50, our_rating="4.5")  # 9.0 of 10
    liked = movielens_movie("Liked", rating_count=50, our_rating="4.0")  # 8.0 of 10
    movielens_movie("Meh", rating_count=50, our_rating="3.5")  # 7.0 of 10
    movielens_movie("Unrated")

    assert set(ids(api_client.get("/api/v1/movies/", {"rating_min": "8"}))) == {
        loved.pk,
        liked.pk,
    }
    assert ids(api_client.get("/api/v1/movies/", {"rating_min": "8.5"})) == [loved.pk]


def test_rating_min_uses_tmdb_s_rating_where_tmdb_has_votes(api_client):
    tmdb_low = MovieFactory(
        tmdb_rating=Decimal("6.0"), tmdb_vote_count=900, our_rating=Decimal("5.0")
    )
    tmdb_high = MovieFactory(
        tmdb_rating=Decimal("8.4"), tmdb_vote_count=900, our_rating=Decimal("1.0")
    )
    no_votes = MovieFactory(  # TMDb says 0.0 for a movie nobody voted on: ours counts
        tmdb_rating=Decimal("0.0"), tmdb_vote_count=0, our_rating=Decimal("4.5")
    )

    found = set(ids(api_client.get("/api/v1/movies/", {"rating_min": "8"})))

    assert found == {tmdb_high.pk, no_votes.pk}
    assert tmdb_low.pk not in found


def test_rating_min_query_count_is_pinned(api_client, django_assert_num_queries):
    for index in range(6):
        movielens_movie(f"Rated {index}", rating_count=10, our_rating="4.5")

    with django_assert_num_queries(3):  # count, page, genres
        assert len(ids(api_client.get("/api/v1/movies/", {"rating_min": "8", "per_page": 4}))) == 4


def test_ordering_by_rating_uses_our_rating_where_tmdb_has_none(api_client):
    # Ordered by TMDb's rating alone, the TMDb-rated movie came first, then the others by
    # -id (the last imported first), whatever our users thought of them.
    unrated = movielens_movie("Unrated")
    meh = movielens_movie("Meh", rating_count=50, our_rating="3.5")  # 7.0 of 10
    tmdb_rated = MovieFactory(  # TMDb's 8.4 counts, not our 1.0
        tmdb_rating=Decimal("8.4"), tmdb_vote_count=900, our_rating=Decimal("1.0")
    )
    loved = movielens_movie("Loved", rating_count=50, our_rating="4.5")  # 9.0 of 10
    tie_less_rated = movielens_movie("Tie, less rated", rating_count=3, our_rating="4.5")

    descending = ids(api_client.get("/api/v1/movies/", {"ordering": "-rating"}))
    ascending = ids(api_client.get("/api/v1/movies/", {"ordering": "rating"}))

    assert descending == [loved.pk, tie_less_rated.pk, tmdb_rated.pk, meh.pk, unrated.pk]
    # The reverse, except that a movie without any rating stays last.
    assert ascending == [meh.pk, tmdb_rated.pk, tie_less_rated.pk, loved.pk, unrated.pk]


def test_rating_ordering_query_count_is_pinned(
    api_client, movielens_catalog, django_assert_num_queries
):
    with django_assert_num_queries(3):  # count, page, genres
        assert (
            len(ids(api_client.get("/api/v1/movies/", {"ordering": "-rating", "per_page": 3}))) == 3
        )


def _plan(params: dict) -> str:
    page = MovieFilter(params, queryset=movie_summary_queryset()).qs[:20]
    sql, sql_params = page.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        # Forbid a sort and a scan: the plan then shows whether an index can give the order.
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", sql_params)
        return json.dumps(cursor.fetchone()[0])


@postgres_only
@pytest.mark.parametrize(
    "params",
    [{}, {"ordering": "-popularity"}, {"ordering": "popularity"}, {"rating_min": "8"}],
    ids=["default", "descending", "ascending", "rating_min"],
)
def test_a_popularity_page_is_read_off_its_index_without_a_sort(movielens_catalog, params):
    GenreFactory()
    plan = _plan(params)

    assert "idx_movies_list_engagement" in plan
    assert '"Node Type": "Sort"' not in plan


@postgres_only
def test_a_rating_page_is_read_off_its_index_without_a_sort(movielens_catalog):
    GenreFactory()
    plan = _plan({"ordering": "-rating"})

    assert "idx_movies_list_rating" in plan
    assert '"Node Type": "Sort"' not in plan
