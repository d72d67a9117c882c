"""Each home page section's rule, called directly (apps/feed/sections.py)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.catalog.models import TMDbList, TMDbListItem
from apps.catalog.tests.factories import (
    MovieFactory,
    PersonFactory,
    RatedMovieFactory,
    ShowFactory,
    VideoFactory,
)
from apps.feed import sections
from apps.feed.models import FeaturedSection
from apps.feed.sections import SectionContext
from apps.feed.tests.factories import (
    CollectionFactory,
    CollectionItemFactory,
    FeaturedSlotFactory,
    NewsArticleFactory,
    hours_ago,
)
from apps.interactions.tests.factories import InteractionFactory

pytestmark = pytest.mark.django_db


def ids(cards) -> list[int]:
    return [card["id"] for card in cards]


def test_featured_video_is_the_editors_pick_with_its_trailer():
    popular = MovieFactory(popularity_score=100)
    VideoFactory(movie=popular)
    picked = MovieFactory(popularity_score=1)
    trailer = VideoFactory(movie=picked, key="abc123")
    VideoFactory(movie=picked, video_type="Featurette")
    no_trailer = MovieFactory()
    FeaturedSlotFactory(section=FeaturedSection.FEATURED_VIDEO, movie=no_trailer, position=0)
    FeaturedSlotFactory(
        section=FeaturedSection.FEATURED_VIDEO, movie=picked, position=1, headline="Watch this"
    )

    cards = sections.featured_video(SectionContext(), 20)

    assert ids(cards) == [picked.pk]
    assert cards[0]["video"] == {
        "name": trailer.name,
        "site": "YouTube",
        "key": "abc123",
        "video_type": "Trailer",
        "url": "https://www.youtube.com/watch?v=abc123",
    }
    assert cards[0]["headline"] == "Watch this"


def test_featured_video_falls_back_to_the_most_popular_movie_with_a_trailer():
    RatedMovieFactory(rating_count=500)  # most popular, no trailer
    less = RatedMovieFactory(rating_count=50)
    VideoFactory(movie=less, site="Vimeo", key="42")
    least = RatedMovieFactory(rating_count=5)
    VideoFactory(movie=least)
    ended = FeaturedSlotFactory(
        section=FeaturedSection.FEATURED_VIDEO,
        movie=least,
        starts_at=hours_ago(5),
        ends_at=hours_ago(1),
    )

    cards = sections.featured_video(SectionContext(), 20)

    assert ended.ends_at < timezone.now()
    assert ids(cards) == [less.pk]
    assert cards[0]["video"]["url"] == "https://vimeo.com/42"


def test_featured_today_shows_only_live_editor_slots_in_position_order():
    first, second, later, ended = MovieFactory(), ShowFactory(), MovieFactory(), MovieFactory()
    FeaturedSlotFactory(movie=first, position=2)
    FeaturedSlotFactory(show=second, position=1, headline="Binge it")
    FeaturedSlotFactory(movie=later, starts_at=timezone.now() + datetime.timedelta(hours=1))
    FeaturedSlotFactory(movie=ended, starts_at=hours_ago(3), ends_at=hours_ago(2))
    FeaturedSlotFactory(section=FeaturedSection.FEATURED_VIDEO, movie=later)

    cards = sections.featured_today(SectionContext(), 20)

    assert [(c["kind"], c["id"]) for c in cards] == [("show", second.pk), ("movie", first.pk)]
    assert cards[0]["headline"] == "Binge it"


def test_featured_today_without_slots_rotates_well_rated_movies_daily_the_same_for_everyone():
    good = [RatedMovieFactory(mean=Decimal("4.5"), rating_count=100 + n) for n in range(30)]
    RatedMovieFactory(mean=Decimal("2.0"), rating_count=1000)  # popular but poorly rated
    monday = datetime.datetime(2026, 11, 30, 12, tzinfo=datetime.UTC)

    first = sections.featured_today(SectionContext(now=monday), 10)
    again = sections.featured_today(SectionContext(now=monday + datetime.timedelta(hours=5)), 10)
    tuesday = sections.featured_today(SectionContext(now=monday + datetime.timedelta(days=1)), 10)

    assert ids(first) == ids(again)
    assert ids(first) != ids(tuesday)
    assert set(ids(first)) | set(ids(tuesday)) <= {movie.pk for movie in good}
    assert len(first) == 10


def test_top_picks_for_everyone_is_what_trends_this_week():
    quiet = RatedMovieFactory(rating_count=500)
    trending = MovieFactory()
    disliked = MovieFactory()
    for _ in range(3):
        InteractionFactory(movie=trending, interaction_type="like")
        InteractionFactory(movie=disliked, interaction_type="dislike")

    cards = sections.top_picks(SectionContext(), 20)

    assert ids(cards) == [trending.pk]
    assert quiet.pk not in ids(cards)


def test_top_picks_and_popular_follow_tmdb_snapshots_when_synced():
    a, b = MovieFactory(), MovieFactory()
    for key in ("movie_trending_week", "movie_popular"):
        tmdb_list = TMDbList.objects.create(key=key, synced_at=timezone.now())
        TMDbListItem.objects.create(tmdb_list=tmdb_list, position=1, movie=b)
        TMDbListItem.objects.create(tmdb_list=tmdb_list, position=2, movie=a)

    assert ids(sections.top_picks(SectionContext(), 20)) == [b.pk, a.pk]
    assert ids(sections.popular_movies(SectionContext(), 1)) == [b.pk]


def test_exclusive_videos_are_originals_with_their_trailers():
    original = MovieFactory(is_original=True)
    VideoFactory(movie=original)
    MovieFactory(is_original=True)  # no video
    VideoFactory(movie=MovieFactory(is_original=False))

    cards = sections.exclusive_videos(SectionContext(), 20)

    assert ids(cards) == [original.pk]
    assert cards[0]["video"]["site"] == "YouTube"


def test_tv_shows_are_the_most_popular_shows():
    low, high = ShowFactory(popularity_score=1), ShowFactory(popularity_score=9)
    ShowFactory(popularity_score=50, is_active=False)

    assert ids(sections.tv_shows(SectionContext(), 20)) == [high.pk, low.pk]


def test_top_rated_shows_use_the_bayesian_average_not_the_raw_one():
    lucky = ShowFactory(tmdb_rating=Decimal("10.0"), tmdb_vote_count=2)
    acclaimed = ShowFactory(tmdb_rating=Decimal("8.9"), tmdb_vote_count=5000)
    ShowFactory(tmdb_rating=None, tmdb_vote_count=0)

    cards = sections.top_rated_shows(SectionContext(), 20)

    assert ids(cards) == [acclaimed.pk, lucky.pk]
    # (10 * 6.0 + 2 * 10.0) / (10 + 2)
    assert cards[1]["bayesian_rating"] == pytest.approx(6.67, abs=0.01)
    assert cards[1]["rating"] == 10.0


def test_coming_soon_is_future_releases_nearest_first():
    today = timezone.localdate()
    later = MovieFactory(release_date=today + datetime.timedelta(days=30))
    sooner = MovieFactory(release_date=today + datetime.timedelta(days=2))
    MovieFactory(release_date=today)
    MovieFactory(release_date=today - datetime.timedelta(days=3))

    cards = sections.coming_soon(SectionContext(), 20)

    assert ids(cards) == [sooner.pk, later.pk]
    assert cards[0]["release_date"] == sooner.release_date.isoformat()


def test_editors_picks_are_live_collections_in_position_order():
    second = CollectionFactory(position=2)
    first = CollectionFactory(position=1)
    CollectionFactory(publish_start=None)  # draft
    CollectionFactory(publish_start=timezone.now() + datetime.timedelta(days=1))
    CollectionFactory(publish_start=hours_ago(5), publish_end=hours_ago(1))
    poster = MovieFactory(poster_path="/first.jpg")
    CollectionItemFactory(collection=first, movie=poster, position=0)
    CollectionItemFactory(collection=first, show=ShowFactory(), position=1)

    cards = sections.editors_picks(SectionContext(), 20)

    assert ids(cards) == [first.pk, second.pk]
    assert cards[0]["kind"] == "collection"
    assert cards[0]["item_count"] == 2
    assert cards[0]["slug"] == first.slug
    assert cards[0]["image_url"].endswith("/w342/first.jpg")


def test_news_is_published_articles_newest_first():
    old = NewsArticleFactory(published_at=hours_ago(10))
    new = NewsArticleFactory(published_at=hours_ago(1))
    NewsArticleFactory(status="draft")
    NewsArticleFactory(published_at=timezone.now() + datetime.timedelta(hours=2))

    cards = sections.news(SectionContext(), 20)

    assert ids(cards) == [new.pk, old.pk]
    assert cards[0]["slug"] == new.slug and cards[0]["summary"] == new.summary


def test_celebrities_are_popular_people_with_those_born_today_first():
    now = datetime.datetime(2026, 12, 1, 9, tzinfo=datetime.UTC)
    star = PersonFactory(popularity=90, birthday=datetime.date(1970, 6, 1))
    birthday = PersonFactory(popularity=10, birthday=datetime.date(1980, 12, 1))
    middle = PersonFactory(popularity=50)

    cards = sections.celebrities(SectionContext(now=now), 20)

    assert ids(cards) == [birthday.pk, star.pk, middle.pk]
    assert [card["born_today"] for card in cards] == [True, False, False]


def test_streaming_is_empty_without_watch_providers():
    MovieFactory()

    assert sections.streaming(SectionContext(), 20) == []
