"""Snapshots of TMDb's ranked lists (popular, top rated, trending...), in TMDb's order."""

from django.db import models
from django.db.models import Q


class TMDbList(models.Model):
    """One named list, e.g. ``movie_popular``, ``movie_trending_day`` or ``tv_top_rated``."""

    key = models.CharField(max_length=40, unique=True)
    synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "tmdb_lists"
        verbose_name = "TMDb list"

    def __str__(self) -> str:
        return self.key


class TMDbListItem(models.Model):
    tmdb_list = models.ForeignKey(TMDbList, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField()
    movie = models.ForeignKey(
        "catalog.Movie", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    show = models.ForeignKey(
        "catalog.TVShow", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )

    class Meta:
        db_table = "tmdb_list_items"
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["tmdb_list", "position"], name="unique_list_position"),
            models.CheckConstraint(
                condition=Q(movie__isnull=False) | Q(show__isnull=False),
                name="check_list_item_has_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tmdb_list_id}#{self.position}"
