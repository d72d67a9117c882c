"""With TMDb's data (the shared fixtures replayed), every home page section has items."""

import datetime

import httpx
import pytest

from apps.catalog.models import Movie
from apps.feed.sections import SectionContext
from apps.feed.selectors import home_shared
from apps.feed.tests.factories import CollectionFactory, CollectionItemFactory, NewsArticleFactory
from apps.tmdb import services
from apps.tmdb.tests.conftest import fixture_body

pytestmark = pytest.mark.django_db

# The fixtures were recorded in 2022: "coming soon" is as of then.
RECORDED = datetime.datetime(2022, 10, 1, 12, tzinfo=datetime.UTC)
LISTS = {
    "movie_popular": ("/movie/popular", "movie_popular.json"),
    "movie_trending_week": ("/trending/movie/week", "trending_movie_week.json"),
    "movie_upcoming": ("/movie/upcoming", "movie_upcoming.json"),
    "tv_popular": ("/tv/popular", "tv_popular.json"),
    "tv_top_rated": ("/tv/top_rated", "tv_top_rated.json"),
}


def test_every_section_has_items_with_tmdb_data(tmdb_mock):
    for path, name in [*LISTS.values(), ("/genre/movie/list", "genre_movie_list.json"),
                       ("/genre/tv/list", "genre_tv_list.json"),
                       ("/person/popular", "person_popular.json")]:  # fmt: skip
        tmdb_mock.get(path).mock(return_value=httpx.Response(200, json=fixture_body(name)))
    tmdb_mock.get("/movie/607").mock(
        return_value=httpx.Response(200, json=fixture_body("movie_607_append.json"))
    )
    for key in LISTS:
        services.list_sync(key=key)
    services.people_popular_sync(details=0)
    original = services.movie_sync_from_tmdb(tmdb_id=607)
    Movie.objects.filter(pk=original.pk).update(is_original=True)
    start = datetime.datetime(2022, 1, 1, tzinfo=datetime.UTC)
    collection = CollectionFactory(publish_start=start)
    CollectionItemFactory(collection=collection, movie=original)
    NewsArticleFactory(published_at=start)

    sections = home_shared(SectionContext(now=RECORDED, country="US"))["sections"]

    empty = [section["key"] for section in sections if not section["items"]]
    assert empty == []
    by_key = {section["key"]: section["items"] for section in sections}
    assert by_key["exclusive_videos"][0]["id"] == original.pk
    assert by_key["streaming"][0]["providers"]
    assert all(card["release_date"] > "2022-10-01" for card in by_key["coming_soon"])
