"""feed/home/, feed/sections/{key}/, collections/ and news/ (DESIGN.md routes).

The public answers are cached as bytes and served by the anonymous fast path
(apps.core.fastpath): an anonymous visitor gets the same bytes as every other. A logged-in
user's page is their own bytes, cached per user (a hit is served before DRF, by the logged-in
fast path) and made from the shared page's bytes with their own parts spliced in
(apps.feed.personal).
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.catalog.views.lists import CachedPageMixin
from apps.core.fastpath import CachedBytesMixin, CacheSlot, UserSlot
from apps.core.pagination import DEFAULT_PER_PAGE, MAX_PAGE, MAX_PER_PAGE, positive_int_param
from apps.feed import selectors
from apps.feed.cache import FEED_NAMESPACE, FEED_TTL, editorial_slot, home_slot, section_slot
from apps.feed.personal import (
    Impressions,
    home_page_made,
    home_page_slot,
    streaming_for,
    top_pick_cards,
    user_country,
    watchlist_flagged,
)
from apps.feed.sections import HOME_ITEMS, SECTION_KEYS, SECTION_MAX
from apps.feed.serializers import (
    CollectionDetailSerializer,
    CollectionSummarySerializer,
    FeedCardSerializer,
    FeedHomeSerializer,
    NewsDetailSerializer,
    NewsSummarySerializer,
)


class FeedHomeView(CachedBytesMixin, APIView):
    """Every home page section, in display order (DESIGN.md's keys), each with its first cards
    and the route of the rest."""

    permission_classes = [AllowAny]

    def cache_slot(self, request: Request) -> CacheSlot | None:
        # A logged-in page is the user's own answer (user_slot): the logged-in fast path need
        # not read the public one beside it, nor give up when it is not cached.
        return None if "HTTP_AUTHORIZATION" in request.META else home_slot()

    def user_slot(self, request: Request, user_id: int) -> UserSlot:
        return home_page_slot(user_id, HOME_ITEMS)

    def user_answer_served(self, request: Request, meta) -> None:
        if isinstance(meta, Impressions):
            meta.record(request.user.id)

    @extend_schema(responses=FeedHomeSerializer, operation_id="feed_home")
    def get(self, request: Request):
        if not request.user.is_authenticated:
            return self.bytes_cached(home_slot(), lambda: Response(selectors.home_shared()))
        return self.user_answer(
            request, lambda: home_page_made(user=request.user, top_limit=HOME_ITEMS)
        )


class FeedSectionView(CachedBytesMixin, generics.GenericAPIView):
    """One home page section's cards, paginated (at most SECTION_MAX in all)."""

    permission_classes = [AllowAny]
    serializer_class = FeedCardSerializer
    filter_backends = []

    def cache_slot(self, request: Request) -> CacheSlot:
        key = selectors.section_get(self.kwargs["key"]).key
        page = positive_int_param(request, "page", 1, MAX_PAGE)
        per_page = positive_int_param(request, "per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE)
        return section_slot(key, page, per_page)

    @extend_schema(
        operation_id="feed_section",
        parameters=[OpenApiParameter("key", str, OpenApiParameter.PATH, enum=list(SECTION_KEYS))],
        responses=FeedCardSerializer(many=True),
    )
    def get(self, request: Request, key: str):
        slot = self.cache_slot(request)
        if not request.user.is_authenticated:

            def produce():
                window = self.paginate_queryset(selectors.section_shared_items(key))
                return self.get_paginated_response(window)

            return self.bytes_cached(slot, produce)
        country = user_country(user=request.user) if key == "streaming" else None
        if key == "top_picks":
            cards = top_pick_cards(user=request.user, limit=SECTION_MAX // 2) or (
                selectors.section_shared_items(key)
            )
        elif country:
            cards = streaming_for(country=country, limit=SECTION_MAX)
        else:
            cards = selectors.section_shared_items(key)
        window = self.paginate_queryset(cards)
        (flagged,) = watchlist_flagged(user=request.user, card_lists=[window])
        return self.get_paginated_response(flagged)


class CollectionListView(CachedPageMixin, generics.ListAPIView):
    """Published editorial collections (editors' picks), in the editors' order."""

    permission_classes = [AllowAny]
    serializer_class = CollectionSummarySerializer
    cache_namespace = FEED_NAMESPACE
    cache_ttl = FEED_TTL
    list_name = "collections"

    def list_rows(self, name: str):
        return selectors.collection_list()

    def rows_of(self, window: list) -> list:
        return window


SLUG_MAX = 200  # the slug columns' length: a longer slug names nothing and is not cached


class SlugDetailMixin(CachedBytesMixin):
    def _answer(self, request: Request, produce):
        slot = self.cache_slot(request)
        return produce() if slot is None else self.bytes_cached(slot, produce)


class CollectionDetailView(SlugDetailMixin, APIView):
    """A published collection with its movies and shows in order."""

    permission_classes = [AllowAny]

    def cache_slot(self, request: Request) -> CacheSlot | None:
        slug = self.kwargs["slug"]
        return editorial_slot("collection", slug) if len(slug) <= SLUG_MAX else None

    @extend_schema(responses=CollectionDetailSerializer, operation_id="collection_detail")
    def get(self, request: Request, slug: str):
        def produce():
            collection = selectors.collection_detail_get(slug=slug)
            return Response(CollectionDetailSerializer(collection).data)

        return self._answer(request, produce)


class NewsListView(CachedPageMixin, generics.ListAPIView):
    """Published news articles, newest first."""

    permission_classes = [AllowAny]
    serializer_class = NewsSummarySerializer
    cache_namespace = FEED_NAMESPACE
    cache_ttl = FEED_TTL
    list_name = "news"

    def list_rows(self, name: str):
        return selectors.news_list()

    def rows_of(self, window: list) -> list:
        return window


class NewsDetailView(SlugDetailMixin, APIView):
    """A published article: its body as sanitized HTML, related movies and people."""

    permission_classes = [AllowAny]

    def cache_slot(self, request: Request) -> CacheSlot | None:
        slug = self.kwargs["slug"]
        return editorial_slot("news", slug) if len(slug) <= SLUG_MAX else None

    @extend_schema(responses=NewsDetailSerializer, operation_id="news_detail")
    def get(self, request: Request, slug: str):
        def produce():
            return Response(NewsDetailSerializer(selectors.news_detail_get(slug=slug)).data)

        return self._answer(request, produce)
