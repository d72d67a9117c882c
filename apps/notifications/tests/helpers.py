"""Helpers shared by the notifications tests."""

from apps.catalog.tests.factories import MovieFactory
from apps.recommendations.models import RecommendationReason, UserRecommendation


def recommend(user, movie=None, *, rank=1, score=0.9, reason="Because you liked Alien", **fields):
    movie = movie or MovieFactory()
    return UserRecommendation.objects.create(
        user=user,
        movie=movie,
        score=score,
        algorithm="hybrid",
        rank=rank,
        reason=RecommendationReason.objects.get_or_create(text=reason)[0],
        **fields,
    )
