"""User and movie interactions (seed 002 section 3.1): the recommender's training signal."""

import secrets
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from apps.core.models import TimeStampedModel

# The ten values a rating may take: 0.5 to 5.0 in half steps (MovieLens half stars).
HALF_STAR_RATINGS = [Decimal(step) / 2 for step in range(1, 11)]


class InteractionType(models.TextChoices):
    VIEW = "view"
    LIKE = "like"
    DISLIKE = "dislike"
    FAVORITE = "favorite"
    WATCHLIST = "watchlist"
    RATING = "rating"
    SHARE = "share"


class InteractionSource(models.TextChoices):
    WEB = "web"
    MOBILE = "mobile"
    EMAIL = "email"
    PUSH = "push"
    IMPORT = "import"


class Interaction(models.Model):
    """One row per (user, movie, type).

    ``rating`` is 0.5 to 5.0 in half steps: the rating itself for ``rating`` rows, and the
    optional user_rating a user attaches to a ``favorite``. ``count`` counts repeated views and
    shares; ``timestamp`` is when the interaction last changed.
    """

    # No index of their own: the unique constraint and idx_interactions_user_time lead with
    # the user, idx_interactions_movie_type with the movie. Django's single-column ones cost
    # every insert two more index entries and, at seed 002's volumes, 135 MB (issue 16).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="interactions",
        db_index=False,
    )
    movie = models.ForeignKey(
        "catalog.Movie", on_delete=models.CASCADE, related_name="interactions", db_index=False
    )
    interaction_type = models.CharField(max_length=20, choices=InteractionType.choices)
    rating = models.DecimalField(max_digits=2, decimal_places=1, null=True, blank=True)
    notes = models.TextField(blank=True, default="", max_length=1000)
    count = models.PositiveIntegerField(default=1)
    source = models.CharField(
        max_length=30, choices=InteractionSource.choices, default=InteractionSource.WEB
    )
    timestamp = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "user_movie_interactions"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "movie", "interaction_type"], name="unique_user_movie_interaction"
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=0.5, rating__lte=5),
                name="check_rating_range",
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__in=HALF_STAR_RATINGS),
                name="check_rating_half_step",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "interaction_type"], name="idx_interactions_user_type"),
            models.Index(fields=["movie", "interaction_type"], name="idx_interactions_movie_type"),
            models.Index(fields=["-timestamp"], name="idx_interactions_timestamp"),
            models.Index(
                fields=["rating"], name="idx_interactions_rating", condition=Q(rating__isnull=False)
            ),
            # me/history: one user's interactions, newest first. The columns a recommendation
            # refresh reads of a user's history are included, so PostgreSQL reads it from the
            # index alone (apps.recommendations.training, migration 0006).
            models.Index(
                fields=["user", "-timestamp"],
                include=["id", "movie", "interaction_type", "rating"],
                name="idx_interactions_user_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.interaction_type} {self.movie_id}"


def share_slug_new() -> str:
    """An unguessable slug for sharing a public list (16 URL-safe characters)."""
    return secrets.token_urlsafe(12)


class UserList(TimeStampedModel):
    """A user's named, ordered list of movies. Private unless ``is_public``.

    A public list is readable by anyone through its ``share_slug``; only the owner reads a
    private one or changes either.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="movie_lists"
    )
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True, default="", max_length=1000)
    is_public = models.BooleanField(default=False)
    share_slug = models.CharField(max_length=32, unique=True, default=share_slug_new)
    movies = models.ManyToManyField("catalog.Movie", through="UserListItem", related_name="+")

    class Meta:
        db_table = "user_lists"
        constraints = [
            models.UniqueConstraint(Lower("name"), "user", name="unique_user_list_name_ci"),
        ]
        indexes = [models.Index(fields=["user", "-updated_at"], name="idx_user_lists_user")]

    def __str__(self) -> str:
        return self.name


class UserListItem(models.Model):
    """One movie in a list. Positions run 1..n without gaps, kept so under the list's lock."""

    user_list = models.ForeignKey(UserList, on_delete=models.CASCADE, related_name="items")
    movie = models.ForeignKey("catalog.Movie", on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField()
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "user_list_items"
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user_list", "movie"], name="unique_user_list_movie"),
        ]
        indexes = [
            models.Index(fields=["user_list", "position"], name="idx_user_list_items_position")
        ]

    def __str__(self) -> str:
        return f"{self.user_list_id}#{self.position} {self.movie_id}"


class EpisodeReview(models.Model):
    """A user's rating (1 to 10) and optional short review of a TV episode (seed 000).

    One per user and episode. ``review`` is stored exactly as given and only ever rendered
    escaped. ``active`` is a moderation flag: inactive reviews are hidden from listings.
    """

    episode = models.ForeignKey("catalog.Episode", on_delete=models.CASCADE, related_name="reviews")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="episode_reviews"
    )
    rating = models.PositiveSmallIntegerField()
    review = models.CharField(max_length=200, blank=True, default="")
    active = models.BooleanField(default=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "episode_reviews"
        constraints = [
            models.UniqueConstraint(fields=["episode", "user"], name="unique_episode_review_user"),
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=10), name="check_episode_review_rating"
            ),
        ]
        indexes = [
            models.Index(fields=["episode", "active", "-created"], name="idx_episode_reviews_list")
        ]

    def __str__(self) -> str:
        return f"{self.episode} rated {self.rating}"


class MovieCounterChange(models.Model):
    """A committed write's change to a movie's counters (likes, dislikes, views, ratings):
    apps.interactions.services.counters folds these notes into the movie's counters.

    Append-only from the write path (one INSERT in the write's own transaction, no lock on the
    movie row), so writes to one hot movie do not queue on that row. ``movie_id`` is a plain
    column, not a foreign key: the note must not lock the movie for its key either, and a note
    of a movie deleted since folds into nothing.

    The counted columns hold the change the write made (a like +1, the dislike it replaced -1,
    a rating changed from 3 to 4.5 ``rating_sum`` +1.5), so a fold costs the notes it folds,
    not the movie's rows. ``recount`` asks for the movie's counters to be counted again from
    its rows instead: the database's default, so a note from a writer that names no change
    (one that predates the counted columns, during a rolling upgrade) is never folded as zero.

    No index but the primary key: the table holds the notes of the last half second or so,
    which the fold reads whole, and every index would cost every counted write.
    """

    id = models.BigAutoField(primary_key=True)
    movie_id = models.BigIntegerField()
    recount = models.BooleanField(db_default=True)
    like_count = models.IntegerField(db_default=0)
    dislike_count = models.IntegerField(db_default=0)
    view_count = models.IntegerField(db_default=0)
    rating_count = models.IntegerField(db_default=0)
    rating_sum = models.DecimalField(max_digits=12, decimal_places=1, db_default=0)

    class Meta:
        db_table = "movie_counter_changes"

    def __str__(self) -> str:
        return f"counters of {self.movie_id} changed"
