"""interaction_changed_in_database (migration 0006): the receiver's statements as the database
runs them for the interaction writes made there (and for the others, on PostgreSQL)."""

import pytest
from django.db import connection
from django.utils import timezone

from apps.accounts.tests.factories import UserFactory
from apps.catalog.tests.factories import MovieFactory
from apps.core.testing import postgres_only
from apps.interactions.models import InteractionType
from apps.recommendations.models import (
    RecommendationReason,
    RecommendationState,
    UserRecommendation,
)
from apps.recommendations.training import EXCLUDING_TYPES

pytestmark = [pytest.mark.django_db, postgres_only]


def _changed(user, movie, interaction_type: str, *, removed: bool) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT interaction_changed_in_database(%s, %s, %s, %s, %s)",
            [user.pk, movie.pk, interaction_type, removed, timezone.now()],
        )


@pytest.mark.parametrize("interaction_type", InteractionType.values)
@pytest.mark.parametrize("removed", [False, True])
def test_a_change_hides_the_movie_exactly_when_the_engines_exclude_it(interaction_type, removed):
    user, movie = UserFactory(), MovieFactory()
    reason = RecommendationReason.objects.create(text="because")
    UserRecommendation.objects.create(
        user=user, movie=movie, algorithm="hybrid", score=0.5, rank=1, reason=reason
    )

    _changed(user, movie, interaction_type, removed=removed)

    hidden = UserRecommendation.objects.get(user=user, movie=movie).rank is None
    assert hidden == (not removed and interaction_type in EXCLUDING_TYPES)


def test_every_change_bumps_the_counter_and_the_first_makes_the_refresh_due():
    user, movie = UserFactory(), MovieFactory()

    _changed(user, movie, InteractionType.VIEW, removed=False)
    first = RecommendationState.objects.get(user=user)
    _changed(user, movie, InteractionType.LIKE, removed=True)
    second = RecommendationState.objects.get(user=user)

    assert (first.change_count, second.change_count) == (1, 2)
    assert first.refresh_due_at is not None
    assert second.refresh_due_at == first.refresh_due_at  # kept at the first change
