"""The membership writes on PostgreSQL, one call of interaction_membership_add (migration 0007):
the same rows, counters' notes, answer and recommendations' side as the statements the write
sends on other databases, which stay the reference."""

import pytest

from apps.accounts.tests.factories import UserFactory
from apps.core.exceptions import NotFound
from apps.core.testing import postgres_only
from apps.interactions.models import Interaction, InteractionType, MovieCounterChange
from apps.interactions.services import movie_interactions
from apps.interactions.tests.factories import MovieFactory
from apps.recommendations.models import (
    RecommendationReason,
    RecommendationState,
    UserRecommendation,
)

pytestmark = [pytest.mark.django_db, postgres_only]

LIKE, DISLIKE, WATCHLIST = InteractionType.LIKE, InteractionType.DISLIKE, InteractionType.WATCHLIST


def _listed(user, movie) -> None:
    """The movie in the user's stored list, ranked, as a refresh leaves it."""
    reason, _ = RecommendationReason.objects.get_or_create(text="because")
    UserRecommendation.objects.create(
        user=user, movie=movie, algorithm="hybrid", score=0.5, rank=1, reason=reason
    )


def _after(path, before: list[str], write: str):
    """A fresh user and movie (the movie in the user's list), the ``before`` rows written by
    the statements' path, then ``write`` by ``path``: what the write answered and left."""
    user, movie = UserFactory(), MovieFactory(like_count=5, dislike_count=2)
    _listed(user, movie)
    for kind in before:
        movie_interactions._membership_add_statements(
            user=user, movie_id=movie.pk, interaction_type=kind, source="web"
        )
    notes_before = MovieCounterChange.objects.filter(movie_id=movie.pk).count()
    changes_before = RecommendationState.objects.get(user=user).change_count if before else 0
    outcome = path(user=user, movie_id=movie.pk, interaction_type=write, source="web")
    notes = list(
        MovieCounterChange.objects.filter(movie_id=movie.pk)
        .order_by("id")
        .values_list("like_count", "dislike_count")[notes_before:]
    )
    state = RecommendationState.objects.get(user=user)
    rank = UserRecommendation.objects.get(user=user, movie=movie).rank
    kinds = sorted(
        Interaction.objects.filter(user=user, movie=movie).values_list(
            "interaction_type", flat=True
        )
    )
    answer = {key: value for key, value in outcome.state.items() if key != "movie_id"}
    return {
        "action": outcome.action,
        "answer": answer,
        "counters": (outcome.movie.like_count, outcome.movie.dislike_count),
        "notes": notes,
        "bumps": state.change_count - changes_before,
        "due": state.refresh_due_at is not None,
        "rank": rank,
        "kinds": kinds,
    }


@pytest.mark.parametrize(
    ("before", "write"),
    [
        ([], LIKE),
        ([LIKE], LIKE),
        ([DISLIKE], LIKE),
        ([LIKE], DISLIKE),
        ([], WATCHLIST),
        ([WATCHLIST, DISLIKE], LIKE),
    ],
)
def test_the_database_call_does_what_the_statements_do(before, write):
    statements = _after(movie_interactions._membership_add_statements, before, write)
    call = _after(movie_interactions._membership_add_call, before, write)

    assert call == statements


def test_a_liked_movie_leaves_the_list_and_the_state_is_bumped_once_per_changed_row():
    found = _after(movie_interactions._membership_add_call, [DISLIKE], LIKE)

    assert found["rank"] is None
    assert found["bumps"] == 2  # the dislike removed, the like added
    assert found["notes"] == [(0, -1), (1, 0)]
    assert found["counters"] == (6, 1)
    assert found["kinds"] == ["like"]


@pytest.mark.parametrize("active", [True, False])
def test_a_missing_or_inactive_movie_is_not_found_and_nothing_is_written(active):
    user = UserFactory()
    movie = MovieFactory(is_active=active)
    movie_id = movie.pk if not active else movie.pk + 1000

    with pytest.raises(NotFound):
        movie_interactions._membership_add_call(
            user=user, movie_id=movie_id, interaction_type=LIKE, source="web"
        )

    assert not Interaction.objects.filter(user=user).exists()
    assert not MovieCounterChange.objects.exists()
    assert not RecommendationState.objects.filter(user=user).exists()
