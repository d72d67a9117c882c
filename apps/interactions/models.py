"""User and movie interactions (seed 002 section 3.1): the recommender's training signal."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


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

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="interactions"
    )
    movie = models.ForeignKey(
        "catalog.Movie", on_delete=models.CASCADE, related_name="interactions"
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
        ]
        indexes = [
            models.Index(fields=["user", "interaction_type"], name="idx_interactions_user_type"),
            models.Index(fields=["movie", "interaction_type"], name="idx_interactions_movie_type"),
            models.Index(fields=["-timestamp"], name="idx_interactions_timestamp"),
            models.Index(
                fields=["rating"], name="idx_interactions_rating", condition=Q(rating__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.interaction_type} {self.movie_id}"
