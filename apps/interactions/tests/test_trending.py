"""Trending, the one implementation (apps.interactions.trending), called directly."""

import datetime
from decimal import Decimal

import numpy as np
import pytest
from django.utils import timezone

from apps.interactions.models import InteractionType
from apps.interactions.tests.factories import InteractionFactory, MovieFactory
from apps.interactions.trending import DAY_SECONDS, movie_trending, trending_scores
from apps.recommendations.engines.base import TrainingData
from apps.recommendations.engines.signals import interaction_weight
from apps.recommendations.engines.trending import TrendingEngine


def test_each_event_weighs_half_as_much_per_half_life_of_age_and_the_future_counts_as_now():
    now = 100 * DAY_SECONDS
    scores = trending_scores(
        items=np.asarray([0, 0, 1, 2]),
        timestamps=np.asarray([now, now - 7 * DAY_SECONDS, now - 14 * DAY_SECONDS, now + 50]),
        n_items=4,
        now=now,
        half_life_days=7.0,
    )

    assert scores.tolist() == pytest.approx([1.5, 0.25, 1.0, 0.0])


def test_a_half_life_must_be_positive():
    with pytest.raises(ValueError, match="positive"):
        trending_scores(
            items=np.zeros(0), timestamps=np.zeros(0), n_items=0, now=0, half_life_days=0
        )


@pytest.mark.django_db
def test_movie_trending_counts_every_interaction_but_negative_ones_of_active_movies_in_the_window():
    now = timezone.now()
    hot, warm, shunned = MovieFactory(), MovieFactory(), MovieFactory()
    hidden, stale = MovieFactory(is_active=False), MovieFactory()
    for interaction_type in ("view", "like", "watchlist"):
        InteractionFactory(movie=hot, interaction_type=interaction_type, timestamp=now)
    InteractionFactory(movie=warm, interaction_type="rating", rating=Decimal("3.0"), timestamp=now)
    InteractionFactory(movie=shunned, interaction_type=InteractionType.DISLIKE, timestamp=now)
    InteractionFactory(
        movie=shunned, interaction_type="rating", rating=Decimal("2.5"), timestamp=now
    )
    InteractionFactory(movie=hidden, interaction_type="like", timestamp=now)
    InteractionFactory(
        movie=stale, interaction_type="like", timestamp=now - datetime.timedelta(days=8)
    )

    ranked = movie_trending(window="week", now=now)

    assert [movie_id for movie_id, _ in ranked] == [hot.pk, warm.pk]
    assert [score for _, score in ranked] == pytest.approx([1.0, 1 / 3])


@pytest.mark.django_db
def test_movie_trending_breaks_ties_by_id_limits_and_is_empty_without_counted_interactions():
    now = timezone.now()
    assert movie_trending(window="day", now=now) == []
    movies = [MovieFactory() for _ in range(3)]
    for movie in reversed(movies):
        InteractionFactory(movie=movie, interaction_type="view", timestamp=now)

    assert movie_trending(window="day", now=now, limit=2) == [
        (movies[0].pk, 1.0),
        (movies[1].pk, 1.0),
    ]


def test_the_trending_engine_scores_exactly_what_the_formula_gives_for_non_negative_events():
    now = 1_700_000_000
    kinds = [("like", None), ("dislike", None), ("rating", 2.0), ("rating", 3.0), ("view", None)]
    weights = np.asarray([interaction_weight(kind, rating) for kind, rating in kinds])
    items = np.asarray([0, 1, 1, 2, 2], dtype=np.int32)
    timestamps = np.asarray([now, now, now - 86400, now - 3 * 86400, now], dtype=np.int64)
    data = TrainingData(
        user_ids=np.arange(5, dtype=np.int64),
        item_ids=np.asarray([10, 11, 12], dtype=np.int64),
        users=np.arange(5, dtype=np.int32),
        items=items,
        weights=weights.astype(np.float32),
        timestamps=timestamps,
        now=now,
    )

    engine = TrendingEngine(window="week").fit(data)

    counted = np.asarray([True, False, False, True, True])  # not negative: like, 3.0, view
    expected = trending_scores(
        items=items[counted],
        timestamps=timestamps[counted],
        n_items=3,
        now=now,
        half_life_days=7.0,
    )
    assert engine.item_scores.tolist() == pytest.approx(expected.tolist())
    assert engine.item_scores[1] == 0.0  # the disliked and badly rated movie does not trend
