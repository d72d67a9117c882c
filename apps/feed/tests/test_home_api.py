import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from apps.catalog.tests.factories import (
    MovieFactory,
    PersonFactory,
    RatedMovieFactory,
    ShowFactory,
    VideoFactory,
)
from apps.feed.sections import SECTION_KEYS
from apps.feed.tests.factories import CollectionFactory, NewsArticleFactory
from conftest import client_for

pytestmark = pytest.mark.django_db

HOME = "/api/v1/feed/home/"
EXPECTED_KEYS = [
    "featured_video", "featured_today", "top_picks", "popular_movies", "exclusive_videos",
    "streaming", "tv_shows", "top_rated_shows", "coming_soon", "editors_picks", "news",
    "celebrities",
]  # fmt: skip


def sections_of(response) -> dict:
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["success"] is True
    return {section["key"]: section for section in body["data"]["sections"]}


def test_every_section_key_is_present_in_order_even_with_nothing_to_show(api_client):
    response = api_client.get(HOME)

    keys = [section["key"] for section in response.json()["data"]["sections"]]
    assert keys == EXPECTED_KEYS == list(SECTION_KEYS)
    for key, section in sections_of(response).items():
        assert section["items"] == []
        assert section["more"] == reverse("feed-section", kwargs={"key": key})
        assert section["title"]


def test_movielens_only_data_fills_what_it_can_and_leaves_tmdb_sections_empty(api_client):
    # MovieLens movies: ratings, no TMDb data (no videos, shows, people, future dates).
    movies = [
        RatedMovieFactory(tmdb_id=None, mean=Decimal("4.5"), rating_count=50 - n) for n in range(5)
    ]
    CollectionFactory()
    NewsArticleFactory()

    sections = sections_of(api_client.get(HOME))

    filled = {key for key, section in sections.items() if section["items"]}
    assert filled == {
        "featured_today", "top_picks", "popular_movies", "editors_picks", "news",
    }  # fmt: skip
    assert [card["id"] for card in sections["popular_movies"]["items"]] == [m.pk for m in movies]
    card = sections["popular_movies"]["items"][0]
    assert card == {
        "id": movies[0].pk,
        "kind": "movie",
        "title": movies[0].title,
        "image_url": None,
        "backdrop_url": None,
        "year": movies[0].release_year,
        "rating": 9.0,
        "in_watchlist": None,
    }


def test_the_anonymous_page_is_the_same_bytes_for_everyone_and_served_from_the_cache(
    api_client, django_assert_num_queries
):
    RatedMovieFactory()
    first = api_client.get(HOME)

    with django_assert_num_queries(0):
        second = api_client.get(HOME, REMOTE_ADDR="10.1.2.3")

    assert second.status_code == 200
    assert second.content == first.content


@pytest.mark.performance
def test_the_anonymous_page_is_computed_in_a_fixed_number_of_queries(
    api_client, django_assert_num_queries
):
    for n in range(3):
        movie = RatedMovieFactory(is_original=True, popularity_score=10 - n)
        VideoFactory(movie=movie)
        MovieFactory(release_date=datetime.date.today() + datetime.timedelta(days=n + 1))
        ShowFactory()
        PersonFactory()
        CollectionFactory()
        NewsArticleFactory()

    with django_assert_num_queries(22):
        response = api_client.get(HOME)

    assert all(
        section["items"] for section in response.json()["data"]["sections"]
        if section["key"] != "streaming"
    )  # fmt: skip


def test_a_logged_in_page_flags_the_users_watchlist(user, api_client):
    from apps.interactions.tests.factories import InteractionFactory

    listed, other = RatedMovieFactory(rating_count=20), RatedMovieFactory(rating_count=10)
    InteractionFactory(user=user, movie=listed, interaction_type="watchlist")

    sections = sections_of(client_for(user).get(HOME))

    flags = {card["id"]: card["in_watchlist"] for card in sections["popular_movies"]["items"]}
    assert flags == {listed.pk: True, other.pk: False}
    anonymous = sections_of(api_client.get(HOME))
    assert {c["in_watchlist"] for c in anonymous["popular_movies"]["items"]} == {None}


def _recommend(user, movie, rank, reason="Because you liked Alien"):
    from django.db.models import F
    from django.utils import timezone

    from apps.recommendations.models import (
        RecommendationReason,
        RecommendationState,
        UserRecommendation,
    )

    # The stored lists as a refresh leaves them: fresh, whatever the user's writes before
    # (an interaction write bumps the change counter in its own transaction).
    RecommendationState.objects.get_or_create(user=user, defaults={"refreshed_at": timezone.now()})
    RecommendationState.objects.filter(user=user).update(
        refreshed_at=timezone.now(), refreshed_count=F("change_count")
    )
    return UserRecommendation.objects.create(
        user=user,
        movie=movie,
        algorithm="hybrid",
        rank=rank,
        score=0.9,
        reason=RecommendationReason.objects.get_or_create(text=reason)[0],
    )


def test_a_logged_in_users_top_picks_are_their_recommendations_with_reasons(user, api_client):
    trending = MovieFactory()
    from apps.interactions.tests.factories import InteractionFactory

    InteractionFactory(movie=trending, interaction_type="like")
    second, first = MovieFactory(), MovieFactory()
    _recommend(user, first, 1)
    row = _recommend(user, second, 2, reason="Popular with fans of drama")

    mine = sections_of(client_for(user).get(HOME))["top_picks"]["items"]
    public = sections_of(api_client.get(HOME))["top_picks"]["items"]

    assert [card["id"] for card in mine] == [first.pk, second.pk]
    assert mine[1]["reason"] == "Popular with fans of drama"
    assert mine[1]["recommendation_id"] == row.pk
    assert mine[1]["in_watchlist"] is False
    assert [card["id"] for card in public] == [trending.pk]


def test_section_route_pages_one_section(api_client):
    movies = [RatedMovieFactory(rating_count=100 - n) for n in range(5)]

    response = api_client.get("/api/v1/feed/sections/popular_movies/?page=2&per_page=2")

    body = response.json()
    assert response.status_code == 200
    assert [card["id"] for card in body["data"]] == [movies[2].pk, movies[3].pk]
    assert body["pagination"] == {"page": 2, "per_page": 2, "total": 5, "pages": 3}
    again = api_client.get("/api/v1/feed/sections/popular_movies/?page=2&per_page=2")
    assert again.content == response.content


def test_section_route_for_a_user_flags_and_personalizes(user):
    from apps.interactions.tests.factories import InteractionFactory

    movie = MovieFactory()
    _recommend(user, movie, 1)
    InteractionFactory(user=user, movie=movie, interaction_type="watchlist")

    body = client_for(user).get("/api/v1/feed/sections/top_picks/").json()

    assert [(c["id"], c["in_watchlist"]) for c in body["data"]] == [(movie.pk, True)]
    assert body["pagination"]["total"] == 1


@pytest.mark.parametrize("path", ["nope", "TOP_PICKS", "a" * 300])
def test_unknown_section_is_a_404(api_client, path):
    response = api_client.get(f"/api/v1/feed/sections/{path}/")

    assert response.status_code == 404
    assert response.json()["success"] is False


def test_bad_paging_is_a_400(api_client):
    response = api_client.get("/api/v1/feed/sections/news/?page=zero")

    assert response.status_code == 400
