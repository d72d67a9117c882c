"""The one definition of positive and negative interactions (apps.interactions.rules)."""

from decimal import Decimal

import numpy as np
import pytest

from apps.interactions.models import HALF_STAR_RATINGS, Interaction, InteractionType
from apps.interactions.rules import (
    interaction_is_negative,
    interaction_is_positive,
    negative_interactions,
    positive_interactions,
    ratings_positive,
)
from apps.interactions.tests.factories import InteractionFactory, MovieFactory


@pytest.mark.parametrize(
    ("interaction_type", "rating", "positive", "negative"),
    [
        (InteractionType.FAVORITE, None, True, False),
        (InteractionType.LIKE, None, True, False),
        (InteractionType.WATCHLIST, None, False, False),
        (InteractionType.VIEW, None, False, False),
        (InteractionType.SHARE, None, False, False),
        (InteractionType.DISLIKE, None, False, True),
        (InteractionType.RATING, Decimal("5.0"), True, False),
        (InteractionType.RATING, Decimal("3.5"), True, False),
        (InteractionType.RATING, Decimal("3.0"), False, False),
        (InteractionType.RATING, Decimal("2.5"), False, True),
        (InteractionType.RATING, Decimal("0.5"), False, True),
    ],
)
def test_each_interaction_is_positive_negative_or_neither(
    interaction_type, rating, positive, negative
):
    assert interaction_is_positive(interaction_type, rating) is positive
    assert interaction_is_negative(interaction_type, rating) is negative


def test_a_watchlist_add_is_not_a_positive_interaction():
    assert not interaction_is_positive(InteractionType.WATCHLIST, None)


@pytest.mark.django_db
def test_the_query_forms_select_exactly_the_rows_the_row_forms_accept():
    movie = MovieFactory()
    for interaction_type in InteractionType.values:
        if interaction_type != InteractionType.RATING:
            InteractionFactory(movie=movie, interaction_type=interaction_type)
    for rating in HALF_STAR_RATINGS:
        InteractionFactory(movie=movie, interaction_type=InteractionType.RATING, rating=rating)
    rows = list(Interaction.objects.all())

    positive = set(Interaction.objects.filter(positive_interactions()).values_list("pk", flat=True))
    negative = set(Interaction.objects.filter(negative_interactions()).values_list("pk", flat=True))

    assert positive == {
        row.pk for row in rows if interaction_is_positive(row.interaction_type, row.rating)
    }
    assert negative == {
        row.pk for row in rows if interaction_is_negative(row.interaction_type, row.rating)
    }
    assert len(positive) == 2 + 4  # favorite, like; ratings 3.5, 4.0, 4.5, 5.0


def test_the_array_form_marks_ratings_of_three_and_a_half_and_up():
    ratings = np.asarray([0.5, 3.0, 3.5, 4.0, 5.0], dtype=np.float32)

    assert ratings_positive(ratings).tolist() == [False, False, True, True, True]
