"""Editorial content of the home page: collections, featured slots and news articles.

Everything an editor schedules has a publish window (a start and an optional end); what is
outside its window, or a draft, is invisible to the public routes and the home page.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from apps.core.models import TimeStampedModel


class PublishedQuerySet(models.QuerySet):
    """Rows whose window holds ``now``: started (start set and past) and not yet ended."""

    start_field = "publish_start"
    end_field = "publish_end"

    def live(self, now=None):
        now = now or timezone.now()
        return self.filter(
            Q(**{f"{self.start_field}__isnull": False, f"{self.start_field}__lte": now}),
            Q(**{f"{self.end_field}__isnull": True}) | Q(**{f"{self.end_field}__gt": now}),
        )


class Collection(TimeStampedModel):
    """An editors' pick: a titled, ordered list of movies and shows."""

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    description = models.TextField(blank=True, default="")
    # Where the collection stands among the editors' picks, lowest first.
    position = models.PositiveIntegerField(default=0)
    publish_start = models.DateTimeField(
        null=True, blank=True, help_text="Shown from this time; empty: a draft, never shown"
    )
    publish_end = models.DateTimeField(null=True, blank=True, help_text="Hidden from this time")

    objects = PublishedQuerySet.as_manager()

    class Meta:
        db_table = "feed_collections"
        ordering = ["position", "-publish_start", "id"]
        indexes = [models.Index(fields=["position", "publish_start"], name="idx_collections_order")]
        constraints = [
            models.CheckConstraint(
                condition=Q(publish_end__isnull=True)
                | Q(publish_start__isnull=True)
                | Q(publish_end__gt=models.F("publish_start")),
                name="check_collection_window",
            )
        ]

    def __str__(self) -> str:
        return self.title


class CollectionItem(models.Model):
    """One movie or one show in a collection, at ``position`` (lowest first)."""

    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField(default=0)
    movie = models.ForeignKey(
        "catalog.Movie", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    show = models.ForeignKey(
        "catalog.TVShow", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        db_table = "feed_collection_items"
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(movie__isnull=False) & Q(show__isnull=True))
                | (Q(movie__isnull=True) & Q(show__isnull=False)),
                name="check_collection_item_one_target",
            ),
            models.UniqueConstraint(
                fields=["collection", "movie"],
                condition=Q(movie__isnull=False),
                name="unique_collection_movie",
            ),
            models.UniqueConstraint(
                fields=["collection", "show"],
                condition=Q(show__isnull=False),
                name="unique_collection_show",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.collection_id}#{self.position}"


class FeaturedSection(models.TextChoices):
    FEATURED_VIDEO = "featured_video", "Featured video"
    FEATURED_TODAY = "featured_today", "Featured today"


class FeaturedSlotQuerySet(PublishedQuerySet):
    start_field = "starts_at"
    end_field = "ends_at"


class FeaturedSlot(models.Model):
    """An editor's pick for a home page section, shown between ``starts_at`` and ``ends_at``."""

    section = models.CharField(max_length=30, choices=FeaturedSection.choices)
    movie = models.ForeignKey(
        "catalog.Movie", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    show = models.ForeignKey(
        "catalog.TVShow", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    headline = models.CharField(max_length=200, blank=True, default="")
    position = models.PositiveIntegerField(default=0)
    starts_at = models.DateTimeField(default=timezone.now)
    ends_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = FeaturedSlotQuerySet.as_manager()

    class Meta:
        db_table = "feed_featured_slots"
        ordering = ["section", "position", "starts_at", "id"]
        indexes = [models.Index(fields=["section", "starts_at"], name="idx_featured_section_start")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(movie__isnull=False) & Q(show__isnull=True))
                | (Q(movie__isnull=True) & Q(show__isnull=False)),
                name="check_featured_slot_one_target",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=models.F("starts_at")),
                name="check_featured_slot_window",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_section_display()} #{self.position}"


class ArticleStatus(models.TextChoices):
    DRAFT = "draft"
    PUBLISHED = "published"


class BodyFormat(models.TextChoices):
    PLAIN = "plain", "Plain text"
    MARKDOWN = "markdown", "Markdown"


class NewsArticleQuerySet(models.QuerySet):
    def live(self, now=None):
        """Published, with a publish time that has come."""
        return self.filter(
            status=ArticleStatus.PUBLISHED, published_at__isnull=False,
            published_at__lte=now or timezone.now(),
        )  # fmt: skip


class NewsArticle(TimeStampedModel):
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    summary = models.CharField(max_length=500, blank=True, default="")
    body = models.TextField(blank=True, default="")
    body_format = models.CharField(
        max_length=10, choices=BodyFormat.choices, default=BodyFormat.MARKDOWN
    )
    # The body as safe HTML, rendered from ``body`` on every save (apps.feed.markdown).
    body_html = models.TextField(blank=True, default="", editable=False)
    image_url = models.URLField(max_length=500, blank=True, default="")
    status = models.CharField(
        max_length=10, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    published_at = models.DateTimeField(
        null=True, blank=True, help_text="Shown from this time once published"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    related_movies = models.ManyToManyField("catalog.Movie", blank=True, related_name="+")
    related_people = models.ManyToManyField("catalog.Person", blank=True, related_name="+")

    objects = NewsArticleQuerySet.as_manager()

    class Meta:
        db_table = "feed_news_articles"
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="idx_news_published"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        from apps.feed.markdown import body_to_html

        self.body_html = body_to_html(self.body, self.body_format)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "body" in update_fields:
            kwargs["update_fields"] = {*update_fields, "body_html"}
        if self.status == ArticleStatus.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        super().save(*args, **kwargs)
