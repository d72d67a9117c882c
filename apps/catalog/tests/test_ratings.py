"""The rating rules of a movie (apps.catalog.ratings): its mean and its Bayesian average."""

from decimal import Decimal

import pytest
from django.db.models import FloatField
from django.db.models.functions import Cast

from apps.catalog.cache import catalog_lists_invalidate
from apps.catalog.models import Movie
from apps.catalog.ratings import (
    PRIOR_VOTES,
    bayesian_average,
    mean_rating,
    rating_prior_mean,
)
from apps.catalog.tests.factories import MovieFactory, RatedMovieFactory


@pytest.mark.parametrize(
    ("rating_sum", "rating_count", "mean"),
    [
        (Decimal("8.5"), 2, Decimal("4.3")),  # 4.25 rounds half up
        (Decimal("12.7"), 3, Decimal("4.2")),  # 4.2333...
        (Decimal("0.5"), 1, Decimal("0.5")),
        (Decimal("0"), 0, None),
    ],
)
def test_the_mean_rating_rounds_half_up_to_one_decimal_and_is_none_without_ratings(
    rating_sum, rating_count, mean
):
    assert mean_rating(rating_sum, rating_count) == mean


def test_the_bayesian_average_shrinks_few_votes_toward_the_prior_and_trusts_many():
    one_perfect = bayesian_average(5.0, 1, prior_mean=3.5)
    many_good = bayesian_average(4.3 * 200, 200, prior_mean=3.5)

    assert one_perfect == pytest.approx((PRIOR_VOTES * 3.5 + 5.0) / (PRIOR_VOTES + 1))
    assert many_good > one_perfect
    assert bayesian_average(0.0, 0, prior_mean=3.5) == 3.5


@pytest.mark.django_db
def test_the_bayesian_average_computed_by_the_database_equals_the_one_computed_in_python():
    RatedMovieFactory(rating_count=3, mean=Decimal("4.5"))
    RatedMovieFactory(rating_count=40, mean=Decimal("3.9"))

    rows = Movie.objects.annotate(
        score=bayesian_average(
            Cast("rating_sum", FloatField()), Cast("rating_count", FloatField()), prior_mean=3.6
        )
    ).values_list("rating_sum", "rating_count", "score")

    for rating_sum, rating_count, score in rows:
        assert score == pytest.approx(
            bayesian_average(float(rating_sum), rating_count, prior_mean=3.6)
        )


@pytest.mark.django_db
def test_the_prior_is_the_mean_of_every_rating_of_active_movies_and_none_without_any():
    assert rating_prior_mean() is None

    RatedMovieFactory(rating_count=1, mean=Decimal("5.0"))
    RatedMovieFactory(rating_count=3, mean=Decimal("3.0"))
    RatedMovieFactory(rating_count=100, mean=Decimal("1.0"), is_active=False)
    MovieFactory()
    catalog_lists_invalidate()  # the prior is cached with the lists

    assert rating_prior_mean() == pytest.approx((5.0 + 9.0) / 4)
