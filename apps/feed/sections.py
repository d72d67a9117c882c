"""The home page's sections (DESIGN.md, seed 000's list): what fills each one, as cards.

Each section is a function ``(context, limit) -> list of cards``; the home page asks each for
its first HOME_ITEMS cards, ``feed/sections/{key}/`` for up to SECTION_MAX and pages them.
These are the shared sections, the same for every visitor on a given day; a logged-in user's
``top_picks`` and watchlist flags are added on top by apps.feed.personal.

With MovieLens data only (no TMDb), popular, top picks (trending), featured today, editors'
picks and news fill; the sections that need TMDb's data (videos, streaming providers, shows,
people, future release dates) are present and empty until it is synced.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.db.models import Count, FloatField, Prefetch, Q, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone

from apps.catalog.images import image_base_url, image_url
from apps.catalog.models import Movie, MovieWatchProvider, Person, TMDbListItem, TVShow, Video
from apps.catalog.models.providers import STREAMING_OFFERS
from apps.catalog.rankings import (
    movie_popular_local,
    movie_ranked_list,
    movie_upcoming_local,
    show_top_rated_bayesian,
    snapshot_items,
)
from apps.catalog.ratings import (
    EMPTY_PRIOR_MEAN,
    TMDB_PRIOR_MEAN,
    bayesian_average,
    rating_prior_mean,
)
from apps.feed.cards import (
    MOVIE_CARD_FIELDS,
    PERSON_CARD_FIELDS,
    SHOW_CARD_FIELDS,
    TRAILER_TYPES,
    VIDEO_SITES,
    best_videos,
    movie_card,
    person_card,
    show_card,
    video_data,
)
from apps.feed.models import Collection, CollectionItem, FeaturedSection, FeaturedSlot, NewsArticle
from apps.interactions.trending import movie_trending_list

HOME_ITEMS = 20
SECTION_MAX = 100
FEATURED_TODAY_POOL = 50
# "Well rated": out of 10 (cards.movie_rating's scale), the Bayesian floor of featured today.
WELL_RATED = 7.0


@dataclass
class SectionContext:
    """What every section of one computation shares: the time, the image base URL."""

    now: datetime = field(default_factory=timezone.now)
    base: str = field(default_factory=image_base_url)
    # Whose streaming offers: a logged-in user's profile country, else the site's.
    country: str = field(default_factory=lambda: settings.FEED_STREAMING_COUNTRY)

    @property
    def today(self) -> date:
        return timezone.localdate(self.now)


def _movies(queryset: QuerySet) -> QuerySet[Movie]:
    return queryset.prefetch_related(None).only(*MOVIE_CARD_FIELDS)


def _movie_rows(rows, limit: int) -> list[Movie]:
    """Movies from a ranked list's rows (snapshot items, movies or movie ids), in order."""
    if isinstance(rows, QuerySet) and rows.model is TMDbListItem:
        items = rows.prefetch_related(None).select_related(None)
        ids = list(items.values_list("movie_id", flat=True)[:limit])
        return _movies_in_order(ids)
    if isinstance(rows, list):
        return _movies_in_order(rows[:limit])
    return list(_movies(rows)[:limit])


def _movies_in_order(ids: list[int]) -> list[Movie]:
    found = _movies(Movie.objects.filter(is_active=True, pk__in=ids)).in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


def _videos_of(movie_ids: list[int]) -> dict[int, Video]:
    """The best trailer of each movie (one query): a trailer before a teaser, official first."""
    if not movie_ids:
        return {}
    videos = (
        Video.objects.filter(
            movie_id__in=movie_ids, site__in=VIDEO_SITES, video_type__in=TRAILER_TYPES
        )
        .only("movie_id", "name", "site", "key", "video_type")
        .order_by("movie_id", "-video_type", "-official", "-published_at", "id")
    )
    return best_videos(videos)


def _with_trailer() -> Q:
    return Q(
        pk__in=Video.objects.filter(site__in=VIDEO_SITES, video_type__in=TRAILER_TYPES).values(
            "movie_id"
        )
    )


def _video_cards(movies: list[Movie], context: SectionContext, headline=None) -> list[dict]:
    videos = _videos_of([movie.pk for movie in movies])
    cards = []
    for movie in movies:
        if movie.pk in videos:
            card = movie_card(movie, context.base)
            card["video"] = video_data(videos[movie.pk])
            if headline is not None:
                card["headline"] = headline.get(movie.pk, "")
            cards.append(card)
    return cards


def _live_slots(section: str, context: SectionContext) -> QuerySet[FeaturedSlot]:
    return (
        FeaturedSlot.objects.live(context.now)
        .filter(section=section)
        .filter(Q(movie__is_active=True) | Q(show__is_active=True))
        .select_related("movie", "show")
        .only(
            "headline",
            "movie_id",
            "show_id",
            *(f"movie__{name}" for name in MOVIE_CARD_FIELDS),
            *(f"show__{name}" for name in SHOW_CARD_FIELDS),
        )
        .order_by("position", "starts_at", "id")
    )


def featured_video(context: SectionContext, limit: int) -> list[dict]:
    """Trailers of the editors' live featured-video picks; without one that has a trailer, the
    trailer of the most popular movie that has one."""
    slots = [slot for slot in _live_slots(FeaturedSection.FEATURED_VIDEO, context) if slot.movie]
    cards = _video_cards(
        [slot.movie for slot in slots], context, {slot.movie_id: slot.headline for slot in slots}
    )[:limit]
    if cards:
        return cards
    popular = list(_movies(movie_popular_local().filter(_with_trailer()))[:1])
    return _video_cards(popular, context)


def featured_today(context: SectionContext, limit: int) -> list[dict]:
    """The editors' live picks for today; without any, a rotation of well-rated popular movies
    that changes every day and is the same for everyone on that day."""
    slots = list(_live_slots(FeaturedSection.FEATURED_TODAY, context)[:limit])
    if slots:
        cards = []
        for slot in slots:
            if slot.movie is not None:
                card = movie_card(slot.movie, context.base)
            else:
                card = show_card(slot.show, context.base)
            card["headline"] = slot.headline
            cards.append(card)
        return cards
    pool = list(_movies(_well_rated(movie_popular_local()))[:FEATURED_TODAY_POOL])
    random.Random(context.today.toordinal()).shuffle(pool)  # noqa: S311 - a rotation, not a secret
    return [movie_card(movie, context.base) for movie in pool[:limit]]


def _well_rated(movies: QuerySet[Movie]) -> QuerySet[Movie]:
    """Movies whose rating, shrunk toward the site's mean (apps.catalog.ratings'
    Bayesian average), is at least WELL_RATED out of 10: by TMDb's votes, or by ours."""
    tmdb_votes = Cast("tmdb_vote_count", FloatField())
    ours = rating_prior_mean()
    return movies.annotate(
        tmdb_bayes=bayesian_average(
            Cast("tmdb_rating", FloatField()) * tmdb_votes, tmdb_votes, prior_mean=TMDB_PRIOR_MEAN
        ),
        our_bayes=bayesian_average(
            Cast("rating_sum", FloatField()),
            Cast("rating_count", FloatField()),
            prior_mean=ours if ours is not None else EMPTY_PRIOR_MEAN,
        ),
    ).filter(
        Q(tmdb_vote_count__gt=0, tmdb_bayes__gte=WELL_RATED)
        | Q(rating_count__gt=0, our_bayes__gte=WELL_RATED / 2)
    )


def top_picks(context: SectionContext, limit: int) -> list[dict]:
    """The public top picks: what trends this week (movies/trending/'s list). A logged-in
    user's page replaces them with their own recommendations (apps.feed.personal)."""
    movies = _movie_rows(movie_trending_list(window="week"), limit)
    return [movie_card(movie, context.base) for movie in movies]


def popular_movies(context: SectionContext, limit: int) -> list[dict]:
    movies = _movie_rows(movie_ranked_list(name="popular"), limit)
    return [movie_card(movie, context.base) for movie in movies]


def exclusive_videos(context: SectionContext, limit: int) -> list[dict]:
    """Movie Nexus originals that have a trailer, most popular first."""
    originals = movie_popular_local().filter(_with_trailer(), is_original=True)
    return _video_cards(list(_movies(originals)[:limit]), context)


def streaming(context: SectionContext, limit: int) -> list[dict]:
    """Movies that can be watched on a streaming service (subscription, free or with ads) in
    the context's country, most popular first, each with those services (TMDb's watch
    providers, best placed first)."""
    offers = MovieWatchProvider.objects.filter(
        country=context.country, offer_type__in=STREAMING_OFFERS, movie__is_active=True
    )
    movies = list(_movies(movie_popular_local().filter(pk__in=offers.values("movie_id")))[:limit])
    providers: dict[int, dict[int, dict]] = {}
    for offer in (
        offers.filter(movie_id__in=[movie.pk for movie in movies])
        .select_related("provider")
        .order_by("display_priority", "provider__name", "id")
    ):
        providers.setdefault(offer.movie_id, {}).setdefault(
            offer.provider_id,
            {
                "id": offer.provider_id,
                "name": offer.provider.name,
                "logo_url": image_url(offer.provider.logo_path, "w92", context.base),
            },
        )
    cards = []
    for movie in movies:
        card = movie_card(movie, context.base)
        card["providers"] = list(providers.get(movie.pk, {}).values())
        cards.append(card)
    return cards


def _shows(queryset: QuerySet) -> QuerySet[TVShow]:
    return queryset.prefetch_related(None).only(*SHOW_CARD_FIELDS)


def tv_shows(context: SectionContext, limit: int) -> list[dict]:
    """TMDb's popular shows when synced, else the shows by TMDb popularity."""
    items = snapshot_items(key="tv_popular", shows=True)
    if items is not None:
        ids = list(items.prefetch_related(None).values_list("show_id", flat=True)[:limit])
        found = _shows(TVShow.objects.filter(is_active=True)).in_bulk(ids)
        shows = [found[pk] for pk in ids if pk in found]
    else:
        shows = list(
            _shows(TVShow.objects.filter(is_active=True)).order_by("-popularity_score", "id")[
                :limit
            ]
        )
    return [show_card(show, context.base) for show in shows]


def top_rated_shows(context: SectionContext, limit: int) -> list[dict]:
    """Shows by the Bayesian average of their TMDb votes (apps.catalog.ratings), not by the raw
    average: a show rated 10 by two people does not top one rated 8.9 by thousands."""
    cards = []
    for show in _shows(show_top_rated_bayesian())[:limit]:
        card = show_card(show, context.base)
        card["bayesian_rating"] = round(show.bayes_score, 2)
        cards.append(card)
    return cards


def coming_soon(context: SectionContext, limit: int) -> list[dict]:
    """Movies released after today, nearest first."""
    upcoming = movie_upcoming_local(context.today).prefetch_related(None)
    movies = upcoming.only(*MOVIE_CARD_FIELDS, "release_date")[:limit]
    cards = []
    for movie in movies:
        card = movie_card(movie, context.base)
        card["release_date"] = movie.release_date.isoformat()
        cards.append(card)
    return cards


def editors_picks(context: SectionContext, limit: int) -> list[dict]:
    """Live editorial collections in the editors' order, each with its item count and the
    poster of its first item."""
    first_items = CollectionItem.objects.select_related("movie", "show").only(
        "collection_id", "position", "movie__poster_path", "show__poster_path"
    )
    collections = (
        Collection.objects.live(context.now)
        .annotate(item_count=Count("items"))
        .prefetch_related(Prefetch("items", queryset=first_items, to_attr="ordered_items"))
        .only("id", "title", "slug", "description")
        .order_by("position", "-publish_start", "id")[:limit]
    )
    cards = []
    for collection in collections:
        first = collection.ordered_items[0] if collection.ordered_items else None
        poster = None
        if first is not None:
            poster = (first.movie or first.show).poster_path
        cards.append(
            {
                "id": collection.pk,
                "kind": "collection",
                "title": collection.title,
                "image_url": image_url(poster, "w342", context.base),
                "backdrop_url": None,
                "year": None,
                "rating": None,
                "in_watchlist": None,
                "slug": collection.slug,
                "description": collection.description,
                "item_count": collection.item_count,
            }
        )
    return cards


def news(context: SectionContext, limit: int) -> list[dict]:
    """Published articles whose publish time has come, newest first."""
    articles = (
        NewsArticle.objects.live(context.now)
        .only("id", "title", "slug", "summary", "image_url", "published_at")
        .order_by("-published_at", "-id")[:limit]
    )
    return [
        {
            "id": article.pk,
            "kind": "article",
            "title": article.title,
            "image_url": article.image_url or None,
            "backdrop_url": None,
            "year": article.published_at.year,
            "rating": None,
            "in_watchlist": None,
            "slug": article.slug,
            "summary": article.summary,
            "published_at": article.published_at.isoformat().replace("+00:00", "Z"),
        }
        for article in articles
    ]


def celebrities(context: SectionContext, limit: int) -> list[dict]:
    """The most popular people; those whose birthday is today come first."""
    today = context.today
    people = list(
        Person.objects.only(*PERSON_CARD_FIELDS).order_by("-popularity", "id")[:SECTION_MAX]
    )

    def born_today(person: Person) -> bool:
        birthday = person.birthday
        return birthday is not None and (birthday.month, birthday.day) == (today.month, today.day)

    people.sort(key=lambda person: not born_today(person))  # stable: popularity order kept
    return [
        person_card(person, context.base, born_today=born_today(person))
        for person in people[:limit]
    ]


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    fill: Callable[[SectionContext, int], list[dict]]


# DESIGN.md's keys, in display order.
SECTIONS = (
    Section("featured_video", "Featured video", featured_video),
    Section("featured_today", "Featured today", featured_today),
    Section("top_picks", "Top picks for you", top_picks),
    Section("popular_movies", "Popular movies", popular_movies),
    Section("exclusive_videos", "Exclusive videos", exclusive_videos),
    Section("streaming", "Streaming", streaming),
    Section("tv_shows", "TV shows", tv_shows),
    Section("top_rated_shows", "Top rated shows", top_rated_shows),
    Section("coming_soon", "Coming soon", coming_soon),
    Section("editors_picks", "Editors' picks", editors_picks),
    Section("news", "News", news),
    Section("celebrities", "Celebrities", celebrities),
)
SECTION_KEYS = tuple(section.key for section in SECTIONS)
SECTIONS_BY_KEY = {section.key: section for section in SECTIONS}
