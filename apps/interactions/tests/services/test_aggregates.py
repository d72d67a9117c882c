"""apps/interactions/services/aggregates.py, called directly."""

from decimal import Decimal

import pytest

from apps.catalog.models import Movie
from apps.interactions.services.aggregates import movie_aggregates_recompute
from apps.interactions.tests.factories import InteractionFactory, MovieFactory

pytestmark = pytest.mark.django_db


def test_movie_aggregates_recompute_sets_the_counters_from_the_rows():
    movie = MovieFactory(like_count=40, rating_count=9, rating_sum=Decimal("1.0"))
    untouched = MovieFactory(like_count=7)
    InteractionFactory(movie=movie, interaction_type="like")
    InteractionFactory(movie=movie, interaction_type="dislike")
    InteractionFactory(movie=movie, interaction_type="view", count=3)
    InteractionFactory(movie=movie, interaction_type="rating", rating=Decimal("4.0"))
    InteractionFactory(movie=movie, interaction_type="rating", rating=Decimal("3.0"))
    InteractionFactory(movie=movie, interaction_type="favorite", rating=Decimal("0.5"))

    assert movie_aggregates_recompute(movie_ids=[movie.pk, movie.pk]) == [movie.pk]

    movie.refresh_from_db()
    assert (movie.like_count, movie.dislike_count, movie.view_count) == (1, 1, 3)
    assert (movie.rating_count, movie.rating_sum, movie.our_rating) == (
        2,
        Decimal("7.0"),
        Decimal("3.5"),
    )
    assert Movie.objects.get(pk=untouched.pk).like_count == 7


def test_movie_aggregates_recompute_zeroes_a_movie_without_rows():
    movie = MovieFactory(like_count=5, view_count=2, rating_count=1, rating_sum=Decimal("4.0"))

    movie_aggregates_recompute(movie_ids=[movie.pk])

    movie.refresh_from_db()
    assert (movie.like_count, movie.view_count, movie.rating_count) == (0, 0, 0)
    assert (movie.rating_sum, movie.our_rating) == (Decimal(0), None)
