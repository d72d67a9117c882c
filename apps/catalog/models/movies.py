"""Genres, movies and what hangs off a movie (seed 002 section 2, with the owner's additions)."""

from django.db import models
from django.db.models import Q

from apps.core.models import TimeStampedModel


class Genre(models.Model):
    # MovieLens genres such as Film-Noir and IMAX have no TMDb id, hence nullable (still unique).
    tmdb_id = models.IntegerField(unique=True, null=True, blank=True)
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=50, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "genres"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class MovieStatus(models.TextChoices):
    RUMORED = "Rumored"
    PLANNED = "Planned"
    IN_PRODUCTION = "In Production"
    POST_PRODUCTION = "Post Production"
    RELEASED = "Released"
    CANCELED = "Canceled"


class Movie(TimeStampedModel):
    # A movie may come from MovieLens before TMDb knows it (a few links.csv rows lack a tmdbId),
    # so tmdb_id is nullable; it stays unique, which is what makes TMDb upserts idempotent.
    tmdb_id = models.IntegerField(unique=True, null=True, blank=True)
    imdb_id = models.CharField(max_length=20, unique=True, null=True, blank=True)
    movielens_id = models.IntegerField(unique=True, null=True, blank=True)
    title = models.CharField(max_length=200)
    original_title = models.CharField(max_length=200, blank=True, default="")
    overview = models.TextField(blank=True, default="")
    tagline = models.CharField(max_length=300, blank=True, default="")
    release_date = models.DateField(null=True, blank=True)
    # Known when only the year is (MovieLens titles); kept equal to release_date's year otherwise.
    release_year = models.SmallIntegerField(null=True, blank=True)
    runtime = models.PositiveIntegerField(null=True, blank=True, help_text="Minutes")
    budget = models.BigIntegerField(null=True, blank=True)
    revenue = models.BigIntegerField(null=True, blank=True)
    status = models.CharField(
        max_length=20, choices=MovieStatus.choices, default=MovieStatus.RELEASED
    )
    homepage = models.URLField(max_length=500, blank=True, default="")

    tmdb_rating = models.DecimalField(max_digits=3, decimal_places=1, null=True, blank=True)
    tmdb_vote_count = models.PositiveIntegerField(default=0)
    imdb_rating = models.DecimalField(max_digits=3, decimal_places=1, null=True, blank=True)
    # Mean of our users' ratings (0.5 to 5.0), kept in step with rating_count and rating_sum.
    our_rating = models.DecimalField(max_digits=3, decimal_places=1, null=True, blank=True)
    rating_count = models.PositiveIntegerField(default=0)
    rating_sum = models.DecimalField(max_digits=12, decimal_places=1, default=0)

    poster_path = models.CharField(max_length=200, null=True, blank=True)
    backdrop_path = models.CharField(max_length=200, null=True, blank=True)

    popularity_score = models.FloatField(default=0.0)
    view_count = models.PositiveIntegerField(default=0)
    like_count = models.PositiveIntegerField(default=0)
    dislike_count = models.PositiveIntegerField(default=0)

    adult = models.BooleanField(default=False)
    video = models.BooleanField(default=False)
    original_language = models.CharField(max_length=10, blank=True, default="")
    is_original = models.BooleanField(default=False, help_text="Exclusive to Movie Nexus")
    is_active = models.BooleanField(default=True, help_text="Soft delete: hidden when false")
    # When the TMDb details (overview, runtime, credits...) were last fetched; null if never.
    tmdb_synced_at = models.DateTimeField(null=True, blank=True)

    genres = models.ManyToManyField(Genre, through="MovieGenre", related_name="movies")
    keywords = models.ManyToManyField("Keyword", through="MovieKeyword", related_name="movies")
    production_companies = models.ManyToManyField(
        "ProductionCompany", through="MovieProductionCompany", related_name="movies"
    )

    class Meta:
        db_table = "movies"
        indexes = [
            models.Index(fields=["title"], name="idx_movies_title"),
            models.Index(fields=["-release_date"], name="idx_movies_release_date"),
            models.Index(fields=["release_year"], name="idx_movies_release_year"),
            models.Index(fields=["-popularity_score"], name="idx_movies_popularity"),
            models.Index(fields=["-tmdb_rating"], name="idx_movies_rating"),
            models.Index(fields=["status"], name="idx_movies_status"),
            models.Index(
                fields=["-tmdb_rating", "-popularity_score"], name="idx_movies_rating_popularity"
            ),
            models.Index(fields=["id"], name="idx_movies_active", condition=Q(is_active=True)),
            models.Index(fields=["original_language"], name="idx_movies_language"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(tmdb_rating__isnull=True) | Q(tmdb_rating__gte=0, tmdb_rating__lte=10),
                name="check_movie_tmdb_rating_range",
            ),
            models.CheckConstraint(
                condition=Q(our_rating__isnull=True) | Q(our_rating__gte=0.5, our_rating__lte=5),
                name="check_movie_our_rating_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.release_year})" if self.release_year else self.title


class MovieGenre(models.Model):
    movie = models.ForeignKey(Movie, on_delete=models.CASCADE, related_name="genre_links")
    genre = models.ForeignKey(Genre, on_delete=models.CASCADE, related_name="movie_links")

    class Meta:
        db_table = "movie_genres"
        constraints = [
            models.UniqueConstraint(fields=["movie", "genre"], name="unique_movie_genre")
        ]

    def __str__(self) -> str:
        return f"{self.movie_id}:{self.genre_id}"


class Keyword(models.Model):
    tmdb_id = models.IntegerField(unique=True)
    name = models.CharField(max_length=200)

    class Meta:
        db_table = "keywords"

    def __str__(self) -> str:
        return self.name


class MovieKeyword(models.Model):
    movie = models.ForeignKey(Movie, on_delete=models.CASCADE, related_name="keyword_links")
    keyword = models.ForeignKey(Keyword, on_delete=models.CASCADE, related_name="movie_links")

    class Meta:
        db_table = "movie_keywords"
        constraints = [
            models.UniqueConstraint(fields=["movie", "keyword"], name="unique_movie_keyword")
        ]

    def __str__(self) -> str:
        return f"{self.movie_id}:{self.keyword_id}"


class MovieTag(models.Model):
    """A free-text tag users put on a movie (MovieLens tags.csv), counted per movie."""

    movie = models.ForeignKey(Movie, on_delete=models.CASCADE, related_name="tags")
    tag = models.CharField(max_length=100)
    count = models.PositiveIntegerField(default=1)

    class Meta:
        db_table = "movie_tags"
        constraints = [models.UniqueConstraint(fields=["movie", "tag"], name="unique_movie_tag")]

    def __str__(self) -> str:
        return self.tag


class ProductionCompany(models.Model):
    tmdb_id = models.IntegerField(unique=True)
    name = models.CharField(max_length=200)
    logo_path = models.CharField(max_length=200, null=True, blank=True)
    origin_country = models.CharField(max_length=10, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "production_companies"
        verbose_name_plural = "production companies"

    def __str__(self) -> str:
        return self.name


class MovieProductionCompany(models.Model):
    movie = models.ForeignKey(Movie, on_delete=models.CASCADE, related_name="company_links")
    production_company = models.ForeignKey(
        ProductionCompany, on_delete=models.CASCADE, related_name="movie_links"
    )

    class Meta:
        db_table = "movie_production_companies"
        constraints = [
            models.UniqueConstraint(
                fields=["movie", "production_company"], name="unique_movie_company"
            )
        ]

    def __str__(self) -> str:
        return f"{self.movie_id}:{self.production_company_id}"


class Video(models.Model):
    """A trailer, teaser or clip from TMDb (the key is the YouTube or Vimeo id)."""

    movie = models.ForeignKey(Movie, on_delete=models.CASCADE, related_name="videos")
    tmdb_id = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=300, blank=True, default="")
    site = models.CharField(max_length=30)
    key = models.CharField(max_length=100)
    video_type = models.CharField(max_length=30, blank=True, default="")
    official = models.BooleanField(default=False)
    size = models.PositiveIntegerField(null=True, blank=True)
    language = models.CharField(max_length=10, blank=True, default="")
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "movie_videos"
        indexes = [models.Index(fields=["movie", "video_type"], name="idx_videos_movie_type")]

    def __str__(self) -> str:
        return self.name or self.key
