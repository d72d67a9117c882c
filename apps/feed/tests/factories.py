import datetime

import factory
from django.utils import timezone

from apps.feed.models import (
    ArticleStatus,
    Collection,
    CollectionItem,
    FeaturedSection,
    FeaturedSlot,
    NewsArticle,
)


def hours_ago(hours: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(hours=hours)


class CollectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Collection

    title = factory.Sequence(lambda n: f"Collection {n}")
    slug = factory.Sequence(lambda n: f"collection-{n}")
    publish_start = factory.LazyFunction(lambda: hours_ago(1))


class CollectionItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CollectionItem

    collection = factory.SubFactory(CollectionFactory)
    position = factory.Sequence(lambda n: n)


class FeaturedSlotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FeaturedSlot

    section = FeaturedSection.FEATURED_TODAY
    starts_at = factory.LazyFunction(lambda: hours_ago(1))


class NewsArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NewsArticle

    title = factory.Sequence(lambda n: f"Article {n}")
    slug = factory.Sequence(lambda n: f"article-{n}")
    summary = "What happened"
    body = "Some **news**."
    status = ArticleStatus.PUBLISHED
    published_at = factory.LazyFunction(lambda: hours_ago(1))
