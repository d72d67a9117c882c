"""What an interaction says about a movie, defined once for every app that needs to know.

Two rules, each with a query form (for Interaction querysets), a per-row form, and where an
array form is needed (the offline evaluation reads MovieLens files, not the database):

- A **positive** interaction says the user liked the movie: a favorite, a like, or a rating of
  3.5 or more (on the 0.5 to 5 scale, the MovieLens convention the offline evaluation uses for
  its held-out positives). The user's top genres, "people who liked this also liked", the
  popularity fallback of recommendations and the offline evaluation all count positives.

  A watchlist add is not one. It says the user wants to see the movie, not that they liked it:
  many watchlisted movies are never watched, and some are disliked once watched. Counting it
  would put genres the user has not seen among those they enjoy, and make "people who liked X"
  partly "people who plan to watch X". The recommender still learns from watchlist adds, as a
  weak implicit signal (their weight in apps.recommendations.engines.signals), and trending
  counts them as interest.

- A **negative** interaction says the user did not like it: a dislike, or a rating under 3.0
  (3.0 itself is a shrug, neither). Nothing negative makes a movie trend (trending.py), and
  the recommender weighs negatives below zero.
"""

from decimal import Decimal

import numpy as np
from django.db.models import Q

from apps.interactions.models import InteractionType

POSITIVE_RATING = Decimal("3.5")  # a rating at or above this is positive
NEUTRAL_RATING = Decimal("3.0")  # a rating below this is negative
POSITIVE_TYPES = (InteractionType.FAVORITE, InteractionType.LIKE)
NEGATIVE_TYPES = (InteractionType.DISLIKE,)


def positive_interactions() -> Q:
    """Filter for Interaction rows that are positive."""
    return Q(interaction_type__in=POSITIVE_TYPES) | Q(
        interaction_type=InteractionType.RATING, rating__gte=POSITIVE_RATING
    )


def negative_interactions() -> Q:
    """Filter for Interaction rows that are negative."""
    return Q(interaction_type__in=NEGATIVE_TYPES) | Q(
        interaction_type=InteractionType.RATING, rating__lt=NEUTRAL_RATING
    )


def interaction_is_positive(interaction_type: str, rating: Decimal | float | None) -> bool:
    """Whether one interaction (its type, and its rating for a ``rating``) is positive."""
    if interaction_type == InteractionType.RATING:
        return rating is not None and Decimal(str(rating)) >= POSITIVE_RATING
    return interaction_type in POSITIVE_TYPES


def interaction_is_negative(interaction_type: str, rating: Decimal | float | None) -> bool:
    """Whether one interaction is negative."""
    if interaction_type == InteractionType.RATING:
        return rating is not None and Decimal(str(rating)) < NEUTRAL_RATING
    return interaction_type in NEGATIVE_TYPES


def ratings_positive(ratings: np.ndarray) -> np.ndarray:
    """Boolean mask of the positive ones among rating values (0.5 to 5.0)."""
    return np.asarray(ratings, dtype=np.float64) >= float(POSITIVE_RATING)
