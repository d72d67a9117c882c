"""What the recommendations fall back on without a trained trending engine."""

import datetime

import pytest
from django.utils import timezone

from apps.interactions.tests.factories import InteractionFactory, MovieFactory
from apps.recommendations.selectors import popular_movie_scores

pytestmark = pytest.mark.django_db


def test_the_fallback_lists_what_trends_this_week_then_the_most_liked_then_tmdb_popularity():
    long_ago = timezone.now() - datetime.timedelta(days=400)
    trending, classic, known = MovieFactory(), MovieFactory(), MovieFactory(popularity_score=90)
    InteractionFactory(movie=trending, interaction_type="view")
    for _ in range(3):
        InteractionFactory(movie=classic, interaction_type="like", timestamp=long_ago)
    InteractionFactory(movie=known, interaction_type="dislike")

    ranked = popular_movie_scores()

    assert [movie_id for movie_id, _ in ranked] == [trending.pk, classic.pk, known.pk]
    assert [score for _, score in ranked] == [1.0, 1.0, 0.0]


def test_without_any_recent_interaction_the_fallback_ranks_by_positive_interactions():
    long_ago = timezone.now() - datetime.timedelta(days=400)
    more, fewer, watchlisted = MovieFactory(), MovieFactory(), MovieFactory()
    for _ in range(4):
        InteractionFactory(movie=more, interaction_type="favorite", timestamp=long_ago)
    InteractionFactory(movie=fewer, interaction_type="like", timestamp=long_ago)
    InteractionFactory(movie=watchlisted, interaction_type="watchlist", timestamp=long_ago)

    ranked = popular_movie_scores()

    assert ranked[:2] == [(more.pk, 1.0), (fewer.pk, 0.25)]
    assert (watchlisted.pk, 0.0) in ranked  # not positive: only TMDb's popularity places it
