"""The recommender's signed weights agree with apps.interactions.rules."""

from apps.interactions.models import HALF_STAR_RATINGS, InteractionType
from apps.interactions.rules import interaction_is_negative, interaction_is_positive
from apps.recommendations.engines.signals import interaction_weight


def every_interaction():
    for interaction_type in InteractionType.values:
        if interaction_type == InteractionType.RATING:
            for rating in HALF_STAR_RATINGS:
                yield interaction_type, rating
        else:
            yield interaction_type, None
            if interaction_type == InteractionType.FAVORITE:
                for rating in HALF_STAR_RATINGS:  # a favorite's optional attached rating
                    yield interaction_type, rating


def test_an_interaction_weighs_below_zero_exactly_when_it_is_negative():
    for interaction_type, rating in every_interaction():
        weight = interaction_weight(interaction_type, rating)
        assert (weight < 0) is interaction_is_negative(interaction_type, rating), (
            interaction_type,
            rating,
        )


def test_every_positive_interaction_weighs_at_least_one_a_full_positive_signal():
    for interaction_type, rating in every_interaction():
        if interaction_is_positive(interaction_type, rating):
            assert interaction_weight(interaction_type, rating) >= 1.0, (interaction_type, rating)
