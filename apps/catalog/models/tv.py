"""TV shows, seasons and episodes (the owner's notes in seed 000)."""

from django.db import models
from django.db.models import Q

from apps.catalog.models.movies import Genre
from apps.core.models import TimeStampedModel


class TVShow(TimeStampedModel):
    # Empty for a show an editor adds by hand (like a MovieLens movie); unique when known.
    tmdb_id = models.IntegerField(unique=True, null=True, blank=True)
    name = models.CharField(max_length=200)
    original_name = models.CharField(max_length=200, blank=True, default="")
    overview = models.TextField(blank=True, default="")
    tagline = models.CharField(max_length=300, blank=True, default="")
    first_air_date = models.DateField(null=True, blank=True)
    last_air_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=40, blank=True, default="")
    in_production = models.BooleanField(default=False)
    number_of_seasons = models.PositiveIntegerField(default=0)
    number_of_episodes = models.PositiveIntegerField(default=0)
    tmdb_rating = models.DecimalField(max_digits=3, decimal_places=1, null=True, blank=True)
    tmdb_vote_count = models.PositiveIntegerField(default=0)
    popularity_score = models.FloatField(default=0.0)
    poster_path = models.CharField(max_length=200, null=True, blank=True)
    backdrop_path = models.CharField(max_length=200, null=True, blank=True)
    original_language = models.CharField(max_length=10, blank=True, default="")
    is_original = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    tmdb_synced_at = models.DateTimeField(null=True, blank=True)
    genres = models.ManyToManyField(Genre, through="ShowGenre", related_name="shows")

    class Meta:
        db_table = "tv_shows"
        verbose_name = "TV show"
        indexes = [
            models.Index(fields=["name"], name="idx_tv_shows_name"),
            models.Index(fields=["-popularity_score"], name="idx_tv_shows_popularity"),
            models.Index(fields=["-tmdb_rating"], name="idx_tv_shows_rating"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(tmdb_rating__isnull=True) | Q(tmdb_rating__gte=0, tmdb_rating__lte=10),
                name="check_tv_show_rating_range",
            )
        ]

    def __str__(self) -> str:
        return self.name


class ShowGenre(models.Model):
    show = models.ForeignKey(TVShow, on_delete=models.CASCADE, related_name="genre_links")
    genre = models.ForeignKey(Genre, on_delete=models.CASCADE, related_name="show_links")

    class Meta:
        db_table = "tv_show_genres"
        constraints = [models.UniqueConstraint(fields=["show", "genre"], name="unique_show_genre")]

    def __str__(self) -> str:
        return f"{self.show_id}:{self.genre_id}"


class Season(TimeStampedModel):
    show = models.ForeignKey(TVShow, on_delete=models.CASCADE, related_name="seasons")
    tmdb_id = models.IntegerField(unique=True, null=True, blank=True)
    season_number = models.PositiveIntegerField()
    name = models.CharField(max_length=200, blank=True, default="")
    overview = models.TextField(blank=True, default="")
    air_date = models.DateField(null=True, blank=True)
    episode_count = models.PositiveIntegerField(default=0)
    poster_path = models.CharField(max_length=200, null=True, blank=True)
    tmdb_rating = models.DecimalField(max_digits=3, decimal_places=1, null=True, blank=True)

    class Meta:
        db_table = "tv_seasons"
        ordering = ["season_number"]
        constraints = [
            models.UniqueConstraint(fields=["show", "season_number"], name="unique_show_season")
        ]

    def __str__(self) -> str:
        return f"{self.show_id} S{self.season_number}"


class Episode(TimeStampedModel):
    season = models.ForeignKey(Season, on_delete=models.CASCADE, related_name="episodes")
    tmdb_id = models.IntegerField(unique=True, null=True, blank=True)
    episode_number = models.PositiveIntegerField()
    name = models.CharField(max_length=300, blank=True, default="")
    overview = models.TextField(blank=True, default="")
    air_date = models.DateField(null=True, blank=True)
    runtime = models.PositiveIntegerField(null=True, blank=True)
    still_path = models.CharField(max_length=200, null=True, blank=True)
    tmdb_rating = models.DecimalField(max_digits=3, decimal_places=1, null=True, blank=True)
    tmdb_vote_count = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "tv_episodes"
        ordering = ["episode_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["season", "episode_number"], name="unique_season_episode"
            )
        ]

    def __str__(self) -> str:
        return f"{self.season_id} E{self.episode_number} {self.name}"


class EpisodeCast(models.Model):
    """A guest star of an episode (TMDb's ``guest_stars``), in billing order."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="cast")
    person = models.ForeignKey(
        "catalog.Person", on_delete=models.CASCADE, related_name="episode_credits"
    )
    credit_id = models.CharField(max_length=40, unique=True, null=True, blank=True)
    character = models.CharField(max_length=500, blank=True, default="")
    order = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "tv_episode_cast"
        ordering = ["order", "id"]
        indexes = [models.Index(fields=["episode", "order"], name="idx_episode_cast_order")]

    def __str__(self) -> str:
        return f"{self.person_id} as {self.character}"
