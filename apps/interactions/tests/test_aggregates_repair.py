"""Recomputing movie aggregates from rows: after a user is deleted, and by command."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts.tests.factories import UserFactory
from apps.catalog.models import Movie
from apps.interactions import services
from apps.interactions.models import Interaction
from apps.interactions.services.aggregates import movie_aggregates_recount
from apps.interactions.tests.factories import InteractionFactory, MovieFactory

pytestmark = pytest.mark.django_db


def aggregates(movie: Movie) -> tuple:
    movie.refresh_from_db()
    return (
        movie.like_count,
        movie.dislike_count,
        movie.view_count,
        movie.rating_count,
        movie.rating_sum,
        movie.our_rating,
    )


def test_deleting_a_user_takes_their_likes_views_and_ratings_out_of_the_aggregates():
    movie = MovieFactory()
    leaving, staying = UserFactory(), UserFactory()
    for user, rating in ((leaving, Decimal("1.0")), (staying, Decimal("4.5"))):
        services.like_add(user=user, movie_id=movie.pk)
        services.view_record(user=user, movie_id=movie.pk)
        services.rating_set(user=user, movie_id=movie.pk, value=rating)

    leaving.delete()

    assert aggregates(movie) == (1, 0, 1, 1, Decimal("4.5"), Decimal("4.5"))
    assert not Interaction.objects.filter(user_id=leaving.pk).exists()


def test_recount_command_repairs_aggregates_that_drifted_from_the_rows():
    movie, untouched = MovieFactory(like_count=40, view_count=3), MovieFactory(like_count=2)
    InteractionFactory(movie=movie, interaction_type="like")
    InteractionFactory(movie=movie, interaction_type="view", count=4)
    InteractionFactory(movie=movie, interaction_type="rating", rating=Decimal("3.5"))
    InteractionFactory(movie=movie, interaction_type="rating", rating=Decimal("4.0"))

    call_command("recount_interactions", str(movie.pk), stdout=io.StringIO())

    assert aggregates(movie) == (1, 0, 4, 2, Decimal("7.5"), Decimal("3.8"))
    assert aggregates(untouched)[0] == 2


def test_recount_of_every_movie_zeroes_movies_without_rows():
    movie = MovieFactory(like_count=5, rating_count=1, rating_sum=Decimal("3"), our_rating=3)

    call_command("recount_interactions", stdout=io.StringIO())

    assert aggregates(movie) == (0, 0, 0, 0, Decimal("0"), None)


def test_a_drifted_counter_never_goes_below_zero_on_removal():
    movie = MovieFactory()
    user = UserFactory()
    services.like_add(user=user, movie_id=movie.pk)
    Movie.objects.filter(pk=movie.pk).update(like_count=0)

    services.membership_remove(user=user, movie_id=movie.pk, interaction_type="like")

    assert aggregates(movie)[0] == 0


def test_a_recount_writes_only_the_movies_that_drifted_and_returns_their_ids():
    drifted, right = MovieFactory(dislike_count=7), MovieFactory()
    InteractionFactory(movie=right, interaction_type="rating", rating=Decimal("2.5"))
    InteractionFactory(movie=right, interaction_type="rating", rating=Decimal("4.0"))
    Movie.objects.filter(pk=right.pk).update(
        rating_count=2, rating_sum=Decimal("6.5"), our_rating=Decimal("3.3")
    )
    reported = []

    changed = movie_aggregates_recount(
        movie_ids=[right.pk, drifted.pk, drifted.pk],
        progress=lambda done, total: reported.append((done, total)),
    )

    assert changed == [drifted.pk]
    assert aggregates(drifted)[1] == 0
    assert reported == [(2, 2)]
    # Consistent now: a second recount locks and reads, and writes nothing.
    with CaptureQueriesContext(connection) as queries:
        assert movie_aggregates_recount(movie_ids=[right.pk, drifted.pk]) == []
    assert not [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]


def test_a_recount_of_many_movies_commits_batch_by_batch(monkeypatch):
    from apps.interactions.services import aggregates as module

    monkeypatch.setattr(module, "BATCH", 2)
    movies = [MovieFactory(like_count=1) for _ in range(5)]
    reported = []

    changed = movie_aggregates_recount(
        movie_ids=[movie.pk for movie in movies],
        progress=lambda done, total: reported.append((done, total)),
    )

    assert sorted(changed) == sorted(movie.pk for movie in movies)
    assert reported == [(2, 5), (4, 5), (5, 5)]
