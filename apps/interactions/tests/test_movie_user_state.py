"""The user's own state of a movie, which the catalog's movie detail gets through its hook."""

from decimal import Decimal

import pytest

from apps.catalog import hooks
from apps.catalog.tests.factories import MovieFactory
from apps.interactions.models import Interaction, InteractionType
from apps.interactions.selectors import movie_user_state

pytestmark = pytest.mark.django_db


def test_movie_user_state_reads_only_that_users_rows_of_that_movie(
    user, other_user, django_assert_num_queries
):
    movie, other_movie = MovieFactory(), MovieFactory()
    Interaction.objects.create(user=user, movie=movie, interaction_type=InteractionType.DISLIKE)
    Interaction.objects.create(
        user=user, movie=movie, interaction_type=InteractionType.RATING, rating=Decimal("2.0")
    )
    Interaction.objects.create(user=other_user, movie=movie, interaction_type=InteractionType.LIKE)
    Interaction.objects.create(
        user=user, movie=other_movie, interaction_type=InteractionType.FAVORITE
    )

    with django_assert_num_queries(1):
        state = movie_user_state(user=user, movie_id=movie.pk)

    assert state == {
        "favorite": False,
        "watchlist": False,
        "liked": False,
        "disliked": True,
        "rating": Decimal("2.0"),
    }


def test_movie_user_state_is_none_for_a_movie_that_is_not_active_and_empty_without_rows(user):
    hidden = MovieFactory(is_active=False)
    Interaction.objects.create(user=user, movie=hidden, interaction_type=InteractionType.LIKE)

    assert movie_user_state(user=user, movie_id=hidden.pk) is None
    assert movie_user_state(user=user, movie_id=10**9) is None
    assert movie_user_state(user=user, movie_id=MovieFactory().pk) == {
        "favorite": False,
        "watchlist": False,
        "liked": False,
        "disliked": False,
        "rating": None,
    }


def test_the_interactions_app_provides_the_catalogs_movie_user_state_hook(user):
    movie = MovieFactory()
    Interaction.objects.create(user=user, movie=movie, interaction_type=InteractionType.WATCHLIST)

    assert hooks.movie_user_state(user=user, movie_id=movie.pk)["watchlist"] is True
