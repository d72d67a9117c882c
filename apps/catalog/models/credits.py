"""People and their credits on movies (cast with billing order, crew with job and department)."""

from django.db import models

from apps.catalog.models.movies import Movie


class Person(models.Model):
    tmdb_id = models.IntegerField(unique=True)
    imdb_id = models.CharField(max_length=20, null=True, blank=True)
    name = models.CharField(max_length=200)
    biography = models.TextField(blank=True, default="")
    birthday = models.DateField(null=True, blank=True)
    deathday = models.DateField(null=True, blank=True)
    place_of_birth = models.CharField(max_length=200, blank=True, default="")
    profile_path = models.CharField(max_length=200, null=True, blank=True)
    # More profile images (TMDb file paths, best first), from the person's details.
    profile_images = models.JSONField(default=list, blank=True)
    known_for_department = models.CharField(max_length=50, blank=True, default="")
    gender = models.PositiveSmallIntegerField(default=0)
    popularity = models.FloatField(default=0.0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    tmdb_synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "persons"
        verbose_name_plural = "people"
        indexes = [
            models.Index(fields=["name"], name="idx_persons_name"),
            models.Index(fields=["known_for_department"], name="idx_persons_department"),
            models.Index(fields=["-popularity"], name="idx_persons_popularity"),
        ]

    def __str__(self) -> str:
        return self.name


class MovieCast(models.Model):
    movie = models.ForeignKey(Movie, on_delete=models.CASCADE, related_name="cast")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="cast_credits")
    credit_id = models.CharField(max_length=40, unique=True, null=True, blank=True)
    character = models.CharField(max_length=500, blank=True, default="")
    order = models.PositiveIntegerField(default=0, help_text="Billing order, 0 first")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "movie_cast"
        ordering = ["order"]
        indexes = [models.Index(fields=["movie", "order"], name="idx_movie_cast_order")]

    def __str__(self) -> str:
        return f"{self.person_id} as {self.character}"


class MovieCrew(models.Model):
    movie = models.ForeignKey(Movie, on_delete=models.CASCADE, related_name="crew")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="crew_credits")
    credit_id = models.CharField(max_length=40, unique=True, null=True, blank=True)
    job = models.CharField(max_length=100)
    department = models.CharField(max_length=50)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "movie_crew"
        indexes = [models.Index(fields=["job"], name="idx_movie_crew_job")]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.job}"
