"""movies/trending/: TMDb's snapshot, else trending from our interactions, else popular.

The route lives in the interactions app (apps/interactions/views/trending.py) with the catalog's
URL, name and cache; the ranking itself is apps.interactions.trending.
"""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.catalog.cache import catalog_lists_invalidate
from apps.catalog.tests.factories import (
    GenreFactory,
    MovieFactory,
    RatedMovieFactory,
    TMDbListFactory,
    TMDbListItemFactory,
)
from apps.interactions.models import Interaction, InteractionType

pytestmark = pytest.mark.django_db


def titles(response) -> list[str]:
    return [movie["title"] for movie in response.json()["data"]]


@pytest.mark.parametrize(
    ("query", "key"),
    [("?window=day", "movie_trending_day"), ("?window=week", "movie_trending_week")],
)
def test_a_synced_tmdb_trending_list_is_served_in_tmdb_order_without_inactive_movies(
    api_client, query, key
):
    snapshot = TMDbListFactory(key=key)
    second, first = MovieFactory(title="Second"), MovieFactory(title="First")
    hidden = MovieFactory(title="Hidden", is_active=False)
    TMDbListItemFactory(tmdb_list=snapshot, position=1, movie=first)
    TMDbListItemFactory(tmdb_list=snapshot, position=2, movie=hidden)
    TMDbListItemFactory(tmdb_list=snapshot, position=3, movie=second)
    MovieFactory(title="Not in the list", popularity_score=1000)

    response = api_client.get(f"/api/v1/movies/trending/{query}")

    assert response.status_code == 200
    assert titles(response) == ["First", "Second"]
    assert response.json()["pagination"]["total"] == 2


def test_trending_without_a_snapshot_counts_interactions_in_the_window(
    api_client, user, other_user
):
    hot, warm = MovieFactory(title="Hot"), MovieFactory(title="Warm")
    old = MovieFactory(title="Old")
    now = timezone.now()
    for person in (user, other_user):
        Interaction.objects.create(user=person, movie=hot, interaction_type=InteractionType.VIEW)
    Interaction.objects.create(
        user=user,
        movie=warm,
        interaction_type=InteractionType.LIKE,
        timestamp=now - datetime.timedelta(days=3),
    )
    Interaction.objects.create(
        user=user,
        movie=old,
        interaction_type=InteractionType.LIKE,
        timestamp=now - datetime.timedelta(days=30),
    )

    assert titles(api_client.get("/api/v1/movies/trending/", {"window": "day"})) == ["Hot"]
    assert titles(api_client.get("/api/v1/movies/trending/", {"window": "week"})) == [
        "Hot",
        "Warm",
    ]


def test_trending_with_no_recent_interactions_falls_back_to_the_popular_ranking(api_client):
    MovieFactory(title="Less", rating_count=1)
    MovieFactory(title="More", rating_count=9)

    assert titles(api_client.get("/api/v1/movies/trending/")) == ["More", "Less"]


def test_trending_window_other_than_day_or_week_is_a_400(api_client):
    response = api_client.get("/api/v1/movies/trending/", {"window": "month"})

    assert response.status_code == 400
    assert "window" in response.json()["error"]["details"]


def test_a_dislike_never_puts_a_movie_on_the_trending_list(api_client, user, other_user):
    liked, disliked = MovieFactory(title="Liked"), MovieFactory(title="Disliked")
    panned = MovieFactory(title="Panned")
    Interaction.objects.create(user=user, movie=liked, interaction_type=InteractionType.LIKE)
    Interaction.objects.create(user=user, movie=disliked, interaction_type=InteractionType.DISLIKE)
    Interaction.objects.create(
        user=other_user, movie=disliked, interaction_type=InteractionType.DISLIKE
    )
    Interaction.objects.create(
        user=user, movie=panned, interaction_type=InteractionType.RATING, rating=Decimal("1.0")
    )

    for window in ("day", "week"):
        response = api_client.get("/api/v1/movies/trending/", {"window": window})
        assert titles(response) == ["Liked"]


def test_recent_interactions_weigh_more_than_older_ones_in_the_window(api_client, user, other_user):
    earlier, recent = MovieFactory(title="Earlier"), MovieFactory(title="Recent")
    now = timezone.now()
    for person in (user, other_user):
        Interaction.objects.create(
            user=person,
            movie=earlier,
            interaction_type=InteractionType.VIEW,
            timestamp=now - datetime.timedelta(days=6),
        )
    Interaction.objects.create(user=user, movie=recent, interaction_type=InteractionType.VIEW)
    Interaction.objects.create(
        user=other_user, movie=recent, interaction_type=InteractionType.WATCHLIST
    )

    # Two views six days ago weigh 2 x 0.5 ** (6 / 7), under two interactions of today.
    assert titles(api_client.get("/api/v1/movies/trending/", {"window": "week"})) == [
        "Recent",
        "Earlier",
    ]


@pytest.mark.parametrize(
    ("with_interactions", "queries"),
    [
        (False, 5),  # snapshot check, trending rows, then popular's count, page, genres
        (True, 4),  # snapshot check, trending rows, page, genres
    ],
)
def test_trending_pins_its_queries_for_any_page_size(
    api_client, django_assert_num_queries, user, with_interactions, queries
):
    genre = GenreFactory()
    for _ in range(30):
        movie = RatedMovieFactory(genres=[genre])
        if with_interactions:
            Interaction.objects.create(user=user, movie=movie, interaction_type="view")

    for per_page in (2, 20):
        catalog_lists_invalidate()
        with django_assert_num_queries(queries):
            response = api_client.get("/api/v1/movies/trending/", {"per_page": per_page})
        assert len(response.json()["data"]) == per_page
