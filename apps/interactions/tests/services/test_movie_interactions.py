"""apps/interactions/services/movie_interactions.py, called directly."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from apps.core.exceptions import NotFound
from apps.interactions.models import Interaction, InteractionType
from apps.interactions.services.counters import counters_fold
from apps.interactions.services.movie_interactions import (
    REPEAT_WINDOW,
    dislike_add,
    favorite_add,
    like_add,
    membership_add,
    membership_remove,
    movie_for_write,
    rating_remove,
    rating_set,
    share_record,
    view_record,
    watchlist_add,
)
from apps.interactions.tests.factories import MovieFactory

pytestmark = pytest.mark.django_db


def kinds(user, movie) -> set[str]:
    return set(
        Interaction.objects.filter(user=user, movie=movie).values_list(
            "interaction_type", flat=True
        )
    )


def test_movie_for_write_answers_the_active_movie_with_its_aggregates_only(user):
    movie = MovieFactory(like_count=4)

    with transaction.atomic():
        assert movie_for_write(user=user, movie_id=movie.pk).like_count == 4
    for missing in (MovieFactory(is_active=False).pk, 10**9):
        with transaction.atomic(), pytest.raises(NotFound):
            movie_for_write(user=user, movie_id=missing)


def test_membership_add_is_idempotent_and_counts_once(user):
    movie = MovieFactory()

    first = membership_add(user=user, movie_id=movie.pk, interaction_type=InteractionType.LIKE)
    counters_fold()  # the counters as they are once settled (services.counters)
    second = membership_add(user=user, movie_id=movie.pk, interaction_type=InteractionType.LIKE)

    assert (first.created, second.action) == (True, None)
    assert (first.movie.like_count, second.movie.like_count) == (1, 1)
    assert kinds(user, movie) == {"like"}


def test_membership_remove_takes_the_row_and_its_count_away_and_tolerates_absence(user):
    movie = MovieFactory()
    like_add(user=user, movie_id=movie.pk)

    removed = membership_remove(user=user, movie_id=movie.pk, interaction_type="like")
    again = membership_remove(user=user, movie_id=movie.pk, interaction_type="like")

    assert (removed.action, again.action) == ("removed", None)
    assert (again.movie.like_count, kinds(user, movie)) == (0, set())


def test_watchlist_add_adds_a_watchlist_row_and_moves_no_counter(user):
    movie = MovieFactory()

    outcome = watchlist_add(user=user, movie_id=movie.pk)

    assert outcome.created
    assert kinds(user, movie) == {"watchlist"}
    movie.refresh_from_db()
    assert (movie.like_count, movie.dislike_count) == (0, 0)


def test_like_add_and_dislike_add_replace_each_other_and_the_counters_follow(user):
    movie = MovieFactory()

    like_add(user=user, movie_id=movie.pk)
    disliked = dislike_add(user=user, movie_id=movie.pk)

    assert kinds(user, movie) == {"dislike"}
    assert (disliked.movie.like_count, disliked.movie.dislike_count) == (0, 1)
    liked = like_add(user=user, movie_id=movie.pk)
    assert (liked.movie.like_count, liked.movie.dislike_count) == (1, 0)


def test_favorite_add_updates_only_the_fields_given(user):
    movie = MovieFactory()

    favorite_add(user=user, movie_id=movie.pk, notes="again", user_rating=Decimal("4.5"))
    updated = favorite_add(user=user, movie_id=movie.pk, user_rating=None)
    unchanged = favorite_add(user=user, movie_id=movie.pk)

    assert (updated.action, unchanged.action) == ("updated", None)
    row = Interaction.objects.get(user=user, movie=movie, interaction_type="favorite")
    assert (row.notes, row.rating) == ("again", None)
    movie.refresh_from_db()
    assert movie.rating_count == 0  # a favorite's rating is a note to self


def test_rating_set_keeps_the_movies_mean_as_ratings_come_and_change(user, other_user):
    movie = MovieFactory()

    rating_set(user=user, movie_id=movie.pk, value=Decimal("4.0"))
    rating_set(user=other_user, movie_id=movie.pk, value=Decimal("2.0"))
    changed = rating_set(user=user, movie_id=movie.pk, value=Decimal("5.0"))
    same = rating_set(user=user, movie_id=movie.pk, value=Decimal("5.0"))
    counters_fold()

    assert (changed.action, same.action) == ("updated", None)
    movie.refresh_from_db()
    assert (movie.rating_count, movie.rating_sum, movie.our_rating) == (
        2,
        Decimal("7.0"),
        Decimal("3.5"),
    )


def test_rating_remove_takes_the_rating_out_of_the_mean(user, other_user):
    movie = MovieFactory()
    rating_set(user=user, movie_id=movie.pk, value=Decimal("1.0"))
    rating_set(user=other_user, movie_id=movie.pk, value=Decimal("3.0"))

    removed = rating_remove(user=user, movie_id=movie.pk)
    again = rating_remove(user=user, movie_id=movie.pk)
    counters_fold()

    assert (removed.action, again.action) == ("removed", None)
    movie.refresh_from_db()
    assert (movie.rating_count, movie.our_rating) == (1, Decimal("3.0"))


def test_view_record_counts_repeats_within_the_window_once(user):
    movie = MovieFactory()

    first = view_record(user=user, movie_id=movie.pk)
    repeat = view_record(user=user, movie_id=movie.pk)
    Interaction.objects.filter(user=user, interaction_type="view").update(
        timestamp=timezone.now() - REPEAT_WINDOW - timedelta(seconds=1)
    )
    later = view_record(user=user, movie_id=movie.pk)

    assert (first.action, repeat.action, later.action) == ("added", None, "updated")
    assert Interaction.objects.get(user=user, interaction_type="view").count == 2
    counters_fold()
    movie.refresh_from_db()
    assert movie.view_count == 2


def test_share_record_counts_retries_once_and_moves_no_movie_counter(user):
    movie = MovieFactory()

    first = share_record(user=user, movie_id=movie.pk)
    retry = share_record(user=user, movie_id=movie.pk)

    assert (first.action, retry.action) == ("added", None)
    assert Interaction.objects.get(user=user, interaction_type="share").count == 1
    movie.refresh_from_db()
    assert movie.view_count == 0


def test_each_write_is_a_fixed_handful_of_statements(user, django_assert_num_queries):
    """Pinned: the write path is most of what logged-in users send (issue 15). Statements,
    in the test's transaction: SAVEPOINT, the user's lock with the movie and the user's rows
    on it (one query on PostgreSQL, two on SQLite), the changes, RELEASE. On SQLite the
    changes are one statement per row changed, one counter note per counted change and the
    recommendations' state bump with the movie taken out of the user's lists (two
    statements); on PostgreSQL they are held (apps.core.statements) and sent together, in one
    query, before the RELEASE here and with the COMMIT outside a test's transaction. The answer
    is built from the rows read, not read again. A membership write on PostgreSQL is one
    statement whatever it changes."""
    from django.db import connection

    from apps.recommendations.models import RecommendationState

    RecommendationState.objects.create(user=user)
    movie = MovieFactory()
    postgresql = connection.vendor == "postgresql"
    begin = 1 if postgresql else 2  # the lock with the movie, and the rows

    def statements(changes: int) -> int:  # ``changes``: what SQLite sends one by one
        return 2 + begin + (1 if postgresql else changes)

    # On PostgreSQL a like, a dislike or a watchlist entry is one call of a database function
    # that does all of it (membership_add).
    membership = 1 if postgresql else None
    with django_assert_num_queries(membership or statements(1 + 1 + 2)):  # row, note, hide, bump
        liked = like_add(user=user, movie_id=movie.pk)
    with django_assert_num_queries(membership or 2 + begin):  # a repeat changes nothing
        like_add(user=user, movie_id=movie.pk)
    # The like goes (row, note, bump), the dislike comes (row, note, hide, bump).
    with django_assert_num_queries(membership or statements(3 + 4)):
        dislike_add(user=user, movie_id=movie.pk)
    with django_assert_num_queries(statements(3)):  # a removal hides nothing
        membership_remove(user=user, movie_id=movie.pk, interaction_type=InteractionType.DISLIKE)
    with django_assert_num_queries(statements(4)):
        rating_set(user=user, movie_id=movie.pk, value=Decimal("4.0"))
    with django_assert_num_queries(statements(4)):  # a changed rating: one UPDATE
        rated = rating_set(user=user, movie_id=movie.pk, value=Decimal("3.5"))

    assert liked.state["like"] is True
    assert liked.state["movie_stats"]["like_count"] == 1
    assert (rated.state["rating"], rated.state["dislike"]) == (Decimal("3.5"), False)
    assert RecommendationState.objects.get(user=user).change_count == 6  # one per changed row


def test_every_row_change_lands_with_its_counter_note(user):
    """On PostgreSQL a row change and its counters' note are one statement (``_Write``); on
    both databases every write's rows, notes and folded counters agree, whatever the path (the
    membership writes' database function included)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from apps.interactions.models import MovieCounterChange
    from apps.interactions.services.movie_interactions import favorite_add, view_record

    movie = MovieFactory()
    like_add(user=user, movie_id=movie.pk)  # on PostgreSQL one database call (membership_add)
    dislike_add(user=user, movie_id=movie.pk)  # the like goes: two changes, two notes
    with CaptureQueriesContext(connection) as rating:
        rating_set(user=user, movie_id=movie.pk, value=Decimal("4.0"))
    rating_set(user=user, movie_id=movie.pk, value=Decimal("2.5"))  # an UPDATE with its note
    favorite_add(user=user, movie_id=movie.pk, notes="again")  # no counter: sent on its own
    favorite_add(user=user, movie_id=movie.pk, notes="and again")  # an UPDATE, no counter
    view_record(user=user, movie_id=movie.pk)

    merged = [q["sql"] for q in rating.captured_queries if "row_change" in q["sql"]]
    if connection.vendor == "postgresql":
        assert len(merged) == 1 and "INSERT INTO" in merged[0]
    else:
        assert merged == []
    rows = dict(Interaction.objects.filter(user=user).values_list("interaction_type", "rating"))
    assert rows == {"dislike": None, "rating": Decimal("2.5"), "favorite": None, "view": None}
    assert Interaction.objects.get(user=user, interaction_type="favorite").notes == "and again"
    assert MovieCounterChange.objects.filter(movie_id=movie.pk).count() == 6
    counters_fold()
    movie.refresh_from_db()
    assert (movie.like_count, movie.dislike_count) == (0, 1)
    assert (movie.rating_count, movie.rating_sum, movie.view_count) == (1, Decimal("2.5"), 1)
