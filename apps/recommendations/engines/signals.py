"""How much one interaction says about a user's taste: a signed weight.

Strong explicit signals (favorite, like, a high rating) weigh more than weak implicit ones (a
view, a watchlist add); dislikes and low ratings are negative. Ratings are 0.5 to 5.0: 3.0 is a
shrug (a small positive: the user chose to watch it), 3.5 and up are positives growing to 4.0
for a 5-star rating, 2.5 and below are negatives down to -4.0.
"""

from __future__ import annotations

import numpy as np

from apps.interactions import rules

TYPE_WEIGHTS: dict[str, float] = {
    "favorite": 4.0,
    "like": 3.0,
    "share": 2.0,
    "watchlist": 1.0,
    "view": 0.5,
    "dislike": -3.0,
}
# The thresholds of apps.interactions.rules (positive at 3.5 and up, negative under 3.0), as
# floats. A weight above zero is broader than a positive interaction: views, shares, watchlist
# adds and a 3.0 shrug are weak signals an implicit-feedback model learns from too.
POSITIVE_RATING = float(rules.POSITIVE_RATING)
NEUTRAL_RATING = float(rules.NEUTRAL_RATING)
NEUTRAL_WEIGHT = 0.25


def rating_weight(rating: float) -> float:
    """Signed weight of a 0.5 to 5.0 rating."""
    if rating >= POSITIVE_RATING:
        return 1.0 + 2.0 * (rating - POSITIVE_RATING)  # 3.5 -> 1, 4 -> 2, 4.5 -> 3, 5 -> 4
    if rating >= NEUTRAL_RATING:
        return NEUTRAL_WEIGHT
    return max(-4.0, -1.0 - 2.0 * (2.5 - rating))  # 2.5 -> -1, 2 -> -2, 1 -> -4


def interaction_weight(interaction_type: str, rating: float | None) -> float:
    """The signed weight of one interaction; unknown types weigh 0 (ignored)."""
    if interaction_type == "rating":
        return rating_weight(float(rating)) if rating is not None else 0.0
    weight = TYPE_WEIGHTS.get(interaction_type, 0.0)
    if interaction_type == "favorite" and rating is not None:
        # A favorite with a low attached rating is still a favorite, but not a strong one.
        weight = max(1.0, min(weight, rating_weight(float(rating)) + 1.0))
    return weight


def rating_weights(ratings: np.ndarray) -> np.ndarray:
    """Vectorised ``rating_weight`` (float32)."""
    ratings = np.asarray(ratings, dtype=np.float64)
    positive = 1.0 + 2.0 * (ratings - POSITIVE_RATING)
    negative = np.maximum(-4.0, -1.0 - 2.0 * (2.5 - ratings))
    weights = np.where(ratings >= NEUTRAL_RATING, NEUTRAL_WEIGHT, negative)
    return np.where(ratings >= POSITIVE_RATING, positive, weights).astype(np.float32)
