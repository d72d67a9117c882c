"""apps/recommendations/selectors.py, called directly."""

import json
from decimal import Decimal

import pytest

from apps.accounts.models import UserFavoriteGenre
from apps.accounts.tests.factories import UserFactory
from apps.catalog.tests.factories import GenreFactory, MovieFactory
from apps.core.testing import postgres_only
from apps.interactions.tests.factories import InteractionFactory
from apps.recommendations.models import (
    RecommendationReason,
    RecommendationState,
    UserRecommendation,
)
from apps.recommendations.selectors import (
    active_movie_ids,
    best_movies_in_genres,
    co_liked_movie_scores,
    favorite_genres,
    favorite_genres_of,
    movies_for_summary,
    own_recommendations,
    popular_movie_scores,
    recommendation_list,
    recommendation_lists,
    recommendation_state,
    stored_list_engines_of,
)

pytestmark = pytest.mark.django_db


def stored(user, movie, *, engine="hybrid", rank=1, score=0.5) -> UserRecommendation:
    return UserRecommendation.objects.create(
        user=user,
        movie=movie,
        algorithm=engine,
        rank=rank,
        score=score,
        reason=RecommendationReason.objects.get_or_create(text="Picked for your taste")[0],
    )


def test_own_recommendations_are_the_users_rows_and_no_one_elses(user, other_user):
    mine = stored(user, MovieFactory())
    stored(other_user, MovieFactory())

    assert list(own_recommendations(user=user)) == [mine]


def test_recommendation_list_is_one_engines_current_list_in_rank_order(user, other_user):
    second = stored(user, MovieFactory(), rank=2)
    first = stored(user, MovieFactory(), rank=1)
    stored(user, MovieFactory(), rank=None)  # kept for its click, out of the list
    stored(user, MovieFactory(is_active=False), rank=3)
    stored(user, MovieFactory(), engine="content")
    stored(other_user, MovieFactory(), rank=1)

    assert recommendation_list(user=user, engine="hybrid", limit=10) == [first, second]
    assert recommendation_list(user=user, engine="hybrid", limit=1) == [first]


def test_recommendation_lists_are_each_users_list_by_rank_in_one_query(
    user, other_user, django_assert_num_queries
):
    third = UserFactory()
    mine = [stored(user, MovieFactory(), rank=rank) for rank in (1, 2, 4, 5)]  # 3 was hidden
    stored(user, MovieFactory(), rank=None)
    stored(user, MovieFactory(is_active=False), rank=3)
    stored(user, MovieFactory(), engine="content")
    theirs = [stored(other_user, MovieFactory(), rank=rank) for rank in (2, 1)]
    stored(third, MovieFactory(), engine="content")

    with django_assert_num_queries(1):  # the rows with their reasons, not their movies
        lists = recommendation_lists(
            user_ids=[user.pk, other_user.pk, third.pk], engine="hybrid", limit=3
        )
        [
            (row.id, row.movie_id, row.score, row.reason.text)
            for rows in lists.values()
            for row in rows
        ]

    assert lists == {user.pk: mine[:3], other_user.pk: [theirs[1], theirs[0]]}
    assert lists[user.pk] == recommendation_list(user=user, engine="hybrid", limit=3)


def test_stored_list_engines_of_names_each_users_ranked_lists(user, other_user):
    stored(user, MovieFactory())
    stored(user, MovieFactory(), engine="content", rank=1)
    stored(other_user, MovieFactory(), engine="collaborative", rank=None)  # out of the list

    assert stored_list_engines_of(user_ids=[user.pk, other_user.pk]) == {
        user.pk: {"hybrid", "content"}
    }


def test_recommendation_state_is_the_users_row_or_none(user):
    assert recommendation_state(user_id=user.pk) is None
    RecommendationState.objects.create(user=user, change_count=3)

    assert recommendation_state(user_id=user.pk).change_count == 3


def test_favorite_genres_for_one_user_and_for_many_in_one_query(
    user, other_user, django_assert_num_queries
):
    drama, comedy = GenreFactory(name="Drama"), GenreFactory(name="Comedy")
    for profile, genre in [
        (user.profile, drama),
        (user.profile, comedy),
        (other_user.profile, drama),
    ]:
        UserFavoriteGenre.objects.create(profile=profile, genre=genre)
    nobody = UserFactory()

    assert favorite_genres(user_id=user.pk) == [(drama.pk, "Drama"), (comedy.pk, "Comedy")]
    with django_assert_num_queries(1):
        many = favorite_genres_of(user_ids=[user.pk, other_user.pk, nobody.pk])
    assert many == {
        user.pk: [(drama.pk, "Drama"), (comedy.pk, "Comedy")],
        other_user.pk: [(drama.pk, "Drama")],
    }


def test_active_movie_ids_keeps_the_ids_of_active_movies_only():
    active, hidden = MovieFactory(), MovieFactory(is_active=False)

    assert active_movie_ids(movie_ids={active.pk, hidden.pk, 10**9}) == {active.pk}
    assert active_movie_ids(movie_ids=set()) == set()


def test_active_movie_ids_answers_more_ids_than_one_chunk(monkeypatch):
    from apps.recommendations import selectors

    monkeypatch.setattr(selectors, "ACTIVE_IDS_CHUNK", 2)
    movies = [MovieFactory() for _ in range(5)]

    assert active_movie_ids(movie_ids={movie.pk for movie in movies}) == {m.pk for m in movies}


def test_movies_for_summary_maps_active_ids_to_movies():
    active, hidden = MovieFactory(), MovieFactory(is_active=False)

    assert movies_for_summary(movie_ids=[active.pk, hidden.pk]) == {active.pk: active}


def test_popular_movie_scores_rank_positive_interactions_then_fill_with_popularity():
    loved, liked = MovieFactory(popularity_score=1.0), MovieFactory(popularity_score=1.0)
    filler = MovieFactory(popularity_score=50.0)
    for _ in range(4):
        InteractionFactory(movie=loved, interaction_type="like")
    InteractionFactory(movie=liked, interaction_type="favorite")
    InteractionFactory(movie=liked, interaction_type="rating", rating=Decimal("4.0"))
    for _ in range(9):
        InteractionFactory(movie=filler, interaction_type="dislike")

    scores = popular_movie_scores()

    assert scores[:3] == [(loved.pk, 1.0), (liked.pk, pytest.approx(0.5)), (filler.pk, 0.0)]


def test_best_movies_in_genres_prefer_many_good_ratings_to_one_perfect_one():
    drama, comedy = GenreFactory(), GenreFactory()
    proven = MovieFactory(genres=[drama], rating_count=40, rating_sum=Decimal("180.0"))
    lucky = MovieFactory(genres=[drama], rating_count=1, rating_sum=Decimal("5.0"))
    excluded = MovieFactory(genres=[drama], rating_count=50, rating_sum=Decimal("150.0"))
    funny = MovieFactory(genres=[comedy], rating_count=10, rating_sum=Decimal("30.0"))

    best = best_movies_in_genres(genre_ids=[drama.pk, comedy.pk], exclude={excluded.pk}, limit=10)

    assert [movie_id for movie_id, _, _ in best][:2] == [proven.pk, lucky.pk]
    assert {movie_id: genre_id for movie_id, _, genre_id in best}[funny.pk] == comedy.pk
    assert all(0.0 <= score <= 1.0 for _, score, _ in best)


def test_co_liked_movie_scores_count_what_the_movies_fans_also_liked():
    movie, often, once = MovieFactory(), MovieFactory(), MovieFactory()
    fans = [UserFactory() for _ in range(3)]
    for fan in fans:
        InteractionFactory(user=fan, movie=movie, interaction_type="like")
        InteractionFactory(user=fan, movie=often, interaction_type="favorite")
    InteractionFactory(user=fans[0], movie=once, interaction_type="like")
    InteractionFactory(user=UserFactory(), movie=MovieFactory(), interaction_type="like")

    assert co_liked_movie_scores(movie_id=movie.pk, limit=10) == [
        (often.pk, 1.0),
        (once.pk, 1 / 3),
    ]


def test_a_users_events_carry_their_interactions_times_in_unix_seconds(user):
    from datetime import UTC, datetime

    from apps.recommendations.training import user_events_load

    moments = [datetime(2026, 5, 1, 12, 0, 30, tzinfo=UTC), datetime(2026, 5, 2, tzinfo=UTC)]
    for moment in moments:
        InteractionFactory(user=user, interaction_type="like", timestamp=moment)

    events = user_events_load(user_ids=[user.pk])[user.pk]

    assert events.timestamps == [int(moment.timestamp()) for moment in moments]


def test_users_events_name_their_movies_with_one_read_of_titles(django_assert_num_queries):
    from apps.recommendations.training import user_events_load

    users = UserFactory.create_batch(3)
    seen = MovieFactory(title="Alien")
    liked = MovieFactory(title="Heat")
    InteractionFactory(user=users[0], movie=liked, interaction_type="like")
    InteractionFactory(user=users[1], movie=seen, interaction_type="view")
    InteractionFactory(user=users[1], movie=liked, interaction_type="rating", rating=Decimal(4))

    # The interactions, their movies' titles, then feedback, clicks and dismissals.
    with django_assert_num_queries(5):
        events = user_events_load(user_ids=[user.pk for user in users])

    assert events[users[0].pk].titles == {liked.pk: "Heat"}
    assert events[users[1].pk].titles == {seen.pk: "Alien", liked.pk: "Heat"}
    assert events[users[2].pk].titles == {}
    assert events[users[2].pk].is_empty


def test_a_movie_deleted_between_the_events_and_titles_reads_is_left_untitled(user, monkeypatch):
    from apps.recommendations import training

    gone = MovieFactory(title="Gone")
    kept = MovieFactory(title="Kept")
    InteractionFactory(user=user, movie=gone, interaction_type="like")
    InteractionFactory(user=user, movie=kept, interaction_type="like")
    read_titles = training._movie_titles

    def titles_after_the_delete(movie_ids):
        return {pk: title for pk, title in read_titles(movie_ids).items() if pk != gone.pk}

    monkeypatch.setattr(training, "_movie_titles", titles_after_the_delete)

    events = training.user_events_load(user_ids=[user.pk])[user.pk]

    assert events.titles == {gone.pk: "", kept.pk: "Kept"}


@postgres_only
def test_a_refresh_reads_users_histories_from_the_index_alone(user, other_user):
    # The refresh's read of histories needs no table page (an index-only scan of
    # idx_interactions_user_time, interactions migration 0006): a user's rows lie on as many
    # table pages as they have rows at seed 002's volumes.
    from django.db import connection, transaction
    from django.db.models import UniqueConstraint
    from django.test.utils import CaptureQueriesContext

    from apps.interactions.models import Interaction
    from apps.recommendations.training import _interaction_rows

    InteractionFactory(user=user, interaction_type="rating", rating=Decimal(4))
    InteractionFactory(user=other_user, interaction_type="like")
    with CaptureQueriesContext(connection) as captured:
        assert len(list(_interaction_rows([user.pk, other_user.pk]))) == 2
    (read,) = captured.captured_queries
    table = Interaction._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        # Which index a table this small is read by depends on its statistics (whether
        # autovacuum has analyzed the test database's table yet: the test failed now and then
        # under load), so the plan is asked with the model's other indexes dropped (rolled back
        # below) and no table scan: PostgreSQL then plans an index-only scan of this index
        # exactly when it holds every column the read uses. (The rows' deferred foreign key
        # checks run first: a table with pending ones cannot be altered.)
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for constraint in Interaction._meta.constraints:
            if isinstance(constraint, UniqueConstraint):
                cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {constraint.name}")
        for index in Interaction._meta.indexes:
            if index.name != "idx_interactions_user_time":
                cursor.execute(f"DROP INDEX {index.name}")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute(f"EXPLAIN (FORMAT JSON) {read['sql']}")
        plan = json.dumps(cursor.fetchone()[0])
        transaction.set_rollback(True)

    assert '"Node Type": "Index Only Scan"' in plan
    assert "idx_interactions_user_time" in plan
