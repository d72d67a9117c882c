"""A logged-in user's home page: cached per user as bytes, made by splicing their parts into
the shared page's template; right for each user, never another's, and fresh after what it
depends on changes."""

import json

import pytest

from apps.accounts.models import Profile
from apps.accounts.services.profile import user_update
from apps.catalog.models import MovieWatchProvider, WatchProvider
from apps.catalog.tests.factories import MovieFactory, RatedMovieFactory
from apps.core.envelope import success_body
from apps.core.renderers import EnvelopeJSONRenderer
from apps.feed import personal
from apps.feed.splice import TemplateMismatch, cards_template, page_template
from apps.feed.tests.factories import CollectionFactory, NewsArticleFactory
from apps.feed.tests.test_home_api import HOME, _recommend, sections_of
from apps.interactions.services.movie_interactions import membership_remove
from apps.interactions.tests.factories import InteractionFactory
from apps.recommendations.services import recommendations_mark_stale
from conftest import client_for

pytestmark = pytest.mark.django_db


def watchlisted(user, movie) -> None:
    """A watchlist row as it stands (the write path's effects, such as marking the user's
    recommendations stale, are not what these tests are about)."""
    InteractionFactory(user=user, movie=movie, interaction_type="watchlist")


def flags(section: dict) -> dict[int, bool | None]:
    return {card["id"]: card["in_watchlist"] for card in section["items"]}


def slow_page(user, *, country_streaming=None) -> bytes:
    """The page made the old way: the shared data parsed, merged and rendered again."""
    body = personal.shared_page_body()
    picks = personal.pick_cards(personal.top_picks_served(user=user, limit=20).rows)
    data = personal.home_personal(
        user=user,
        shared=json.loads(body)["data"],
        picks=picks,
        country_streaming=country_streaming,
    )
    return EnvelopeJSONRenderer().render(success_body(data), "application/json", {})


@pytest.fixture
def page_data():
    """Movies in several sections (popular, featured today, trending), an editors' pick and
    an article: cards of every kind the MovieLens-only page has."""
    movies = [RatedMovieFactory(rating_count=50 - n, title=f'Film "{n}" \u2028') for n in range(6)]
    CollectionFactory()
    NewsArticleFactory()
    return movies


def test_the_spliced_page_is_byte_for_byte_the_slow_one(user, page_data):
    watchlisted(user, page_data[1])
    _recommend(user, page_data[1], 1)
    _recommend(user, MovieFactory(), 2)

    response = client_for(user).get(HOME)

    assert response.status_code == 200
    assert response.content == slow_page(user)
    sections = sections_of(response)
    assert flags(sections["popular_movies"])[page_data[1].pk] is True
    assert sections["top_picks"]["items"][0]["id"] == page_data[1].pk
    assert sections["top_picks"]["items"][0]["in_watchlist"] is True
    assert sections["top_picks"]["items"][0]["reason"] == "Because you liked Alien"


def test_every_movie_card_of_every_section_is_flagged(user, page_data):
    watchlisted(user, page_data[0])

    response = client_for(user).get(HOME)

    seen = 0
    for section in sections_of(response).values():
        for card in section["items"]:
            if card["kind"] == "movie":
                assert card["in_watchlist"] is (card["id"] == page_data[0].pk)
                seen += card["id"] == page_data[0].pk
            else:
                assert card["in_watchlist"] is None
    assert seen >= 2  # popular and featured today at least
    assert response.content == slow_page(user)


def test_flags_and_top_picks_are_each_users_own(user, other_user, page_data):
    watchlisted(user, page_data[0])
    _recommend(user, page_data[2], 1, reason="Only for the first user")
    mine = client_for(user).get(HOME)  # cached for the first user now

    theirs = sections_of(client_for(other_user).get(HOME))

    assert flags(theirs["popular_movies"])[page_data[0].pk] is False
    assert "Only for the first user" not in [c.get("reason") for c in theirs["top_picks"]["items"]]
    assert client_for(user).get(HOME).content == mine.content
    assert flags(sections_of(mine)["popular_movies"])[page_data[0].pk] is True
    assert sections_of(mine)["top_picks"]["items"][0]["reason"] == "Only for the first user"


def test_a_watchlist_change_shows_on_the_next_page(
    user, page_data, django_capture_on_commit_callbacks
):
    client = client_for(user)
    assert flags(sections_of(client.get(HOME))["popular_movies"])[page_data[3].pk] is False

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/v1/movies/{page_data[3].pk}/watchlist/")
    assert response.status_code in (200, 201), response.content

    assert flags(sections_of(client.get(HOME))["popular_movies"])[page_data[3].pk] is True
    with django_capture_on_commit_callbacks(execute=True):
        membership_remove(user=user, movie_id=page_data[3].pk, interaction_type="watchlist")
    assert flags(sections_of(client.get(HOME))["popular_movies"])[page_data[3].pk] is False


def test_new_recommendations_show_on_the_next_page(user, page_data):
    client = client_for(user)
    _recommend(user, page_data[4], 1)
    assert [c["id"] for c in sections_of(client.get(HOME))["top_picks"]["items"]] == [
        page_data[4].pk
    ]

    _recommend(user, page_data[5], 2)
    recommendations_mark_stale(user_id=user.pk)  # what a write or a refresh does

    top = sections_of(client.get(HOME))["top_picks"]["items"]
    assert page_data[5].pk in [card["id"] for card in top]


def test_a_profile_country_change_switches_the_streaming_section(
    user, page_data, django_capture_on_commit_callbacks
):
    provider = WatchProvider.objects.create(tmdb_id=8, name="Netflix", logo_path="/n.png")
    MovieWatchProvider.objects.create(
        movie=page_data[0], provider=provider, country="FR", offer_type="flatrate"
    )
    client = client_for(user)
    assert sections_of(client.get(HOME))["streaming"]["items"] == []

    with django_capture_on_commit_callbacks(execute=True):
        user_update(user=user, user_fields={}, profile_fields={"country": "fr"})

    response = client.get(HOME)
    streaming = sections_of(response)["streaming"]["items"]
    assert [(card["id"], card["providers"][0]["name"]) for card in streaming] == [
        (page_data[0].pk, "Netflix")
    ]
    assert Profile.objects.get(user=user).country == "fr"
    assert response.content == slow_page(
        user, country_streaming=personal.streaming_for(country="FR", limit=20)
    )


@pytest.mark.performance
def test_a_logged_in_page_costs_a_fixed_number_of_queries(
    user, api_client, django_assert_num_queries
):
    for n in range(3):
        _recommend(user, RatedMovieFactory(), n + 1)
    client = client_for(user)
    api_client.get(HOME)  # the shared page is cached by anyone's visit
    personal.top_picks_served(user=user, limit=20)  # the user's recommendations are cached

    # Made: the user, their profile's country, the watchlist flags, the impressions counter.
    with django_assert_num_queries(4):
        first = client.get(HOME)
    # Cached (served before DRF, the token's user from the cache): the impressions counter.
    with django_assert_num_queries(1):
        second = client.get(HOME)

    assert second.content == first.content
    assert len(sections_of(second)["top_picks"]["items"]) == 3


def test_impressions_are_counted_on_cached_pages_too(user, page_data, monkeypatch):
    _recommend(user, page_data[0], 1)
    counted = []
    monkeypatch.setattr(
        personal.recommendations,
        "impressions_record",
        lambda **kwargs: counted.append((kwargs["count"], kwargs["movie_ids"])),
    )
    client = client_for(user)

    client.get(HOME)
    client.get(HOME)

    assert counted == [(1, [page_data[0].pk])] * 2


def test_a_template_that_does_not_fit_falls_back_to_the_slow_page(user, page_data, monkeypatch):
    def broken(*args, **kwargs):
        raise TemplateMismatch("simulated")

    monkeypatch.setattr(personal, "page_template", broken)
    monkeypatch.setattr(personal, "shared_template", personal._SharedTemplate())

    response = client_for(user).get(HOME)

    assert response.status_code == 200
    assert response.content == slow_page(user)


def test_markers_in_content_cannot_open_a_hole():
    forged = '"in_watchlist":"@@nexus-feed:in_watchlist@@"'
    cards = [
        {"id": 1, "kind": "movie", "title": forged, "in_watchlist": None},
        {"id": 2, "kind": "article", "title": '"items":"@@nexus-feed:items:news@@"'},
    ]

    template = cards_template(cards)

    assert template.holes == (1,)
    filled = template.fill({1})
    assert json.loads(filled) == [
        {**cards[0], "in_watchlist": True},
        cards[1],
    ]


def test_a_page_without_a_personal_section_is_refused():
    with pytest.raises(TemplateMismatch):
        page_template({"sections": [{"key": "news", "items": []}]}, ("top_picks",))


def test_an_authorization_header_that_is_not_a_token_gets_the_public_page(api_client, page_data):
    public = api_client.get(HOME)

    response = api_client.get(HOME, HTTP_AUTHORIZATION="Basic dXNlcjpwYXNz")

    assert response.status_code == 200
    assert response.content == public.content
