"""The editors' admin: collections with ordered items, featured slots, news articles, and a
preview of the home page. Every save drops the cached home page and editorial answers once it
commits (apps.feed.cache.feed_changed), so it shows on the site within CACHE_LOCAL_MS.

Ordering is by the ``position`` fields (lowest first), editable in the changelists and the
inlines; positions need not be consecutive or unique (ties go by creation).
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from apps.feed.cache import feed_changed
from apps.feed.models import Collection, CollectionItem, FeaturedSlot, NewsArticle
from apps.feed.selectors import home_shared


class FeedChangeAdmin(admin.ModelAdmin):
    """Drops the feed's cached answers after every change made through this admin."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        feed_changed()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        feed_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        feed_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        feed_changed()


class CollectionItemInline(admin.TabularInline):
    model = CollectionItem
    extra = 1
    fields = ["position", "movie", "show", "note"]
    autocomplete_fields = ["movie", "show"]
    ordering = ["position", "id"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("movie", "show")


@admin.register(Collection)
class CollectionAdmin(FeedChangeAdmin):
    list_display = ["title", "position", "publish_start", "publish_end", "item_total"]
    list_editable = ["position"]
    list_filter = ["publish_start"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    ordering = ["position", "-publish_start", "id"]
    inlines = [CollectionItemInline]
    actions = ["publish_now", "unpublish"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(item_count=Count("items"))

    def get_urls(self):
        preview = self.admin_site.admin_view(self.preview_view)
        return [
            path("preview/", preview, name="feed_home_preview"),
            *super().get_urls(),
        ]

    def preview_view(self, request):
        """The home page as an anonymous visitor would see it now (computed, not cached)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": "Home page preview",
            "sections": home_shared()["sections"],
        }
        return TemplateResponse(request, "admin/feed/preview.html", context)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "preview_url": reverse("admin:feed_home_preview")}
        return super().changelist_view(request, extra_context)

    @admin.display(description="items", ordering="item_count")
    def item_total(self, collection: Collection) -> int:
        return collection.item_count

    @admin.action(description="Publish now")
    def publish_now(self, request, queryset):
        count = queryset.update(publish_start=timezone.now(), publish_end=None)
        feed_changed()
        self.message_user(request, f"{count} collection(s) published.")

    @admin.action(description="Unpublish (back to draft)")
    def unpublish(self, request, queryset):
        count = queryset.update(publish_start=None, publish_end=None)
        feed_changed()
        self.message_user(request, f"{count} collection(s) unpublished.")


@admin.register(FeaturedSlot)
class FeaturedSlotAdmin(FeedChangeAdmin):
    list_display = ["__str__", "section", "target", "headline", "position", "starts_at", "ends_at"]
    list_editable = ["position"]
    list_filter = ["section", "starts_at"]
    list_select_related = ["movie", "show"]
    autocomplete_fields = ["movie", "show"]
    ordering = ["section", "position", "starts_at", "id"]

    @admin.display(description="item")
    def target(self, slot: FeaturedSlot) -> str:
        return str(slot.movie or slot.show)


@admin.register(NewsArticle)
class NewsArticleAdmin(FeedChangeAdmin):
    list_display = ["title", "status", "published_at", "author"]
    list_filter = ["status", "published_at"]
    list_select_related = ["author"]
    search_fields = ["title", "slug", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["related_movies", "related_people"]
    readonly_fields = ["rendered_body", "created_at", "updated_at"]
    fields = [
        "title", "slug", "summary", "image_url", "body_format", "body", "rendered_body",
        "status", "published_at", "related_movies", "related_people", "created_at",
        "updated_at",
    ]  # fmt: skip
    ordering = ["-published_at", "-id"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    @admin.display(description="body as published (sanitized HTML)")
    def rendered_body(self, article: NewsArticle) -> str:
        # body_html is nh3-sanitized on every save (apps.feed.markdown): safe to show as is.
        return mark_safe(article.body_html)  # noqa: S308

    def save_model(self, request, obj, form, change):
        if obj.author_id is None:
            obj.author = request.user
        super().save_model(request, obj, form, change)
