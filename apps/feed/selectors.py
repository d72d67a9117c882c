"""Reads of the feed: the shared home page and sections, public collections and news."""

from django.db.models import Count, Prefetch, Q, QuerySet
from django.urls import reverse

from apps.catalog.cache import LISTS_NAMESPACE
from apps.catalog.models import Movie, Person
from apps.catalog.selectors import summary_genres_prefetch
from apps.core.cache import cached
from apps.core.exceptions import NotFound
from apps.feed.cache import FEED_TTL, section_items_parts
from apps.feed.models import Collection, CollectionItem, NewsArticle
from apps.feed.sections import HOME_ITEMS, SECTION_MAX, SECTIONS, SECTIONS_BY_KEY, SectionContext


def section_more_url(key: str) -> str:
    return reverse("feed-section", kwargs={"key": key})


def home_shared(context: SectionContext | None = None) -> dict:
    """The public home page: every section, in order, with its first HOME_ITEMS cards."""
    context = context or SectionContext()
    return {
        "sections": [
            {
                "key": section.key,
                "title": section.title,
                "items": section.fill(context, HOME_ITEMS),
                "more": section_more_url(section.key),
            }
            for section in SECTIONS
        ]
    }


def section_get(key: str):
    section = SECTIONS_BY_KEY.get(key)
    if section is None:
        raise NotFound("No such home page section.", code="section_not_found")
    return section


def section_shared_items(key: str) -> list[dict]:
    """Up to SECTION_MAX public cards of section ``key`` (cached with the home page)."""
    section = section_get(key)
    return cached(
        LISTS_NAMESPACE,
        section_items_parts(key),
        FEED_TTL,
        lambda: section.fill(SectionContext(), SECTION_MAX),
    )


def collection_list() -> QuerySet[Collection]:
    """Live collections in the editors' order, with their item counts (one query a page)."""
    return (
        Collection.objects.live()
        .annotate(item_count=Count("items"))
        .order_by("position", "-publish_start", "id")
    )


def collection_detail_get(*, slug: str) -> Collection:
    """A live collection with its items in order, each with its movie or show (two queries,
    and one for the genres of each kind)."""
    items = (
        CollectionItem.objects.filter(Q(movie__is_active=True) | Q(show__is_active=True))
        .select_related("movie", "show")
        .prefetch_related(
            summary_genres_prefetch("movie__genres"), summary_genres_prefetch("show__genres")
        )
        .order_by("position", "id")
    )
    collection = (
        Collection.objects.live()
        .filter(slug=slug)
        .prefetch_related(Prefetch("items", queryset=items, to_attr="ordered_items"))
        .first()
    )
    if collection is None:
        raise NotFound("Collection not found.", code="collection_not_found")
    return collection


def news_list() -> QuerySet[NewsArticle]:
    return NewsArticle.objects.live().order_by("-published_at", "-id")


def news_detail_get(*, slug: str) -> NewsArticle:
    """A published article with its related active movies and people (three queries)."""
    article = (
        NewsArticle.objects.live()
        .filter(slug=slug)
        .prefetch_related(
            Prefetch(
                "related_movies",
                queryset=Movie.objects.filter(is_active=True).order_by("id"),
            ),
            Prefetch("related_people", queryset=Person.objects.order_by("id")),
        )
        .first()
    )
    if article is None:
        raise NotFound("Article not found.", code="article_not_found")
    return article
