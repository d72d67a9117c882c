"""apps/interactions/selectors.py, called directly."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.core.exceptions import NotFound
from apps.interactions.models import InteractionType
from apps.interactions.selectors import (
    episode_get_visible,
    episode_review_list,
    episode_review_summary,
    history_list,
    interaction_list,
    interaction_state,
    movie_user_state,
    user_list_items,
    user_list_public_get,
    user_list_queryset,
    user_stats,
)
from apps.interactions.tests.factories import (
    EpisodeFactory,
    EpisodeReviewFactory,
    GenreFactory,
    InteractionFactory,
    MovieFactory,
    SeasonFactory,
    ShowFactory,
    UserListFactory,
    UserListItemFactory,
)

pytestmark = pytest.mark.django_db


def ago(minutes: int):
    return timezone.now() - timedelta(minutes=minutes)


def test_interaction_list_is_the_users_rows_of_one_type_newest_first_without_hidden_movies(
    user, other_user
):
    old = InteractionFactory(user=user, interaction_type="watchlist", timestamp=ago(10))
    new = InteractionFactory(user=user, interaction_type="watchlist", timestamp=ago(1))
    InteractionFactory(user=user, interaction_type="like")
    InteractionFactory(user=other_user, interaction_type="watchlist")
    InteractionFactory(user=user, interaction_type="watchlist", movie=MovieFactory(is_active=False))

    rows = list(interaction_list(user=user, interaction_type=InteractionType.WATCHLIST))

    assert rows == [new, old]


def test_history_list_is_every_type_of_the_user_newest_first(user, other_user):
    liked = InteractionFactory(user=user, interaction_type="like", timestamp=ago(5))
    viewed = InteractionFactory(user=user, interaction_type="view", timestamp=ago(1))
    InteractionFactory(user=other_user, interaction_type="like")

    assert list(history_list(user=user)) == [viewed, liked]


def test_interaction_state_gives_the_users_relation_and_the_movies_aggregates(user, other_user):
    movie = MovieFactory(like_count=3)
    InteractionFactory(user=user, movie=movie, interaction_type="favorite", notes="again")
    InteractionFactory(user=user, movie=movie, interaction_type="view", count=4)
    InteractionFactory(user=user, movie=movie, interaction_type="rating", rating=Decimal("4.5"))
    InteractionFactory(user=other_user, movie=movie, interaction_type="like")

    state = interaction_state(user=user, movie=movie)

    assert (state["favorite"], state["favorite_notes"], state["like"]) == (True, "again", False)
    assert (state["views"], state["shares"], state["rating"]) == (4, 0, Decimal("4.5"))
    assert state["movie_stats"]["like_count"] == 3


def test_movie_user_state_reads_only_the_users_own_rows(user, other_user):
    movie = MovieFactory()
    InteractionFactory(user=user, movie=movie, interaction_type="watchlist")
    InteractionFactory(user=user, movie=movie, interaction_type="rating", rating=Decimal("3.0"))
    InteractionFactory(user=other_user, movie=movie, interaction_type="like")

    assert movie_user_state(user=user, movie_id=movie.pk) == {
        "favorite": False,
        "watchlist": True,
        "liked": False,
        "disliked": False,
        "rating": Decimal("3.0"),
    }


def test_user_stats_count_by_type_and_rank_genres_of_liked_movies(user, other_user):
    drama, comedy = GenreFactory(name="Drama"), GenreFactory(name="Comedy")
    first, second = MovieFactory(genres=[drama]), MovieFactory(genres=[drama, comedy])
    InteractionFactory(user=user, movie=first, interaction_type="like")
    InteractionFactory(user=user, movie=second, interaction_type="like")
    InteractionFactory(user=user, movie=first, interaction_type="rating", rating=Decimal("4.0"))
    InteractionFactory(user=user, movie=second, interaction_type="rating", rating=Decimal("3.0"))
    InteractionFactory(user=user, movie=first, interaction_type="view", count=5)
    InteractionFactory(user=other_user, movie=first, interaction_type="favorite")

    stats = user_stats(user=user)

    assert stats["counts"]["like"] == 2
    assert (stats["counts"]["favorite"], stats["total_views"]) == (0, 5)
    assert stats["average_rating"] == Decimal("3.50")
    assert [(row["name"], row["enjoyed"]) for row in stats["top_genres"]] == [
        ("Drama", 2),
        ("Comedy", 1),
    ]


def test_user_list_queryset_is_the_users_lists_with_sizes_latest_change_first(user, other_user):
    older, newer = UserListFactory(user=user), UserListFactory(user=user)
    UserListItemFactory(user_list=newer)
    UserListItemFactory(user_list=newer)
    UserListFactory(user=other_user)
    older.save()  # the latest change

    lists = list(user_list_queryset(user=user))

    assert [(found.pk, found.item_count) for found in lists] == [(older.pk, 0), (newer.pk, 2)]


def test_user_list_public_get_finds_a_public_list_by_slug_and_never_a_private_one():
    public = UserListFactory(is_public=True)
    UserListItemFactory(user_list=public)
    private = UserListFactory(is_public=False)

    found = user_list_public_get(slug=public.share_slug)

    assert (found.pk, found.item_count, found.user.pk) == (public.pk, 1, public.user_id)
    assert user_list_public_get(slug=private.share_slug) is None
    assert user_list_public_get(slug="no-such-slug") is None


def test_user_list_items_come_in_position_order_without_hidden_movies():
    user_list = UserListFactory()
    second = UserListItemFactory(user_list=user_list, position=2)
    first = UserListItemFactory(user_list=user_list, position=1)
    UserListItemFactory(user_list=user_list, position=3, movie=MovieFactory(is_active=False))

    assert list(user_list_items(user_list=user_list)) == [first, second]


def test_episode_get_visible_needs_an_active_show():
    episode = EpisodeFactory()
    hidden = EpisodeFactory(season=SeasonFactory(show=ShowFactory(is_active=False)))

    assert episode_get_visible(episode_id=episode.pk).pk == episode.pk
    with pytest.raises(NotFound):
        episode_get_visible(episode_id=hidden.pk)


def test_episode_review_list_and_summary_count_only_visible_reviews():
    episode = EpisodeFactory()
    first = EpisodeReviewFactory(episode=episode, rating=8)
    second = EpisodeReviewFactory(episode=episode, rating=5)
    EpisodeReviewFactory(episode=episode, rating=1, active=False)
    EpisodeReviewFactory(rating=10)  # another episode's

    assert {review.pk for review in episode_review_list(episode_id=episode.pk)} == {
        first.pk,
        second.pk,
    }
    assert episode_review_summary(episode_id=episode.pk) == {
        "average_rating": 6.5,
        "review_count": 2,
    }
    assert episode_review_summary(episode_id=EpisodeFactory().pk) == {
        "average_rating": None,
        "review_count": 0,
    }
