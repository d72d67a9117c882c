"""Where a movie can be watched, per country, from TMDb's watch providers (JustWatch data)."""

from django.db import models


class OfferType(models.TextChoices):
    FLATRATE = "flatrate", "Subscription"
    FREE = "free", "Free"
    ADS = "ads", "With ads"
    RENT = "rent", "Rent"
    BUY = "buy", "Buy"


# The offers that count as "streaming": watched as part of a service, not bought or rented.
STREAMING_OFFERS = (OfferType.FLATRATE, OfferType.FREE, OfferType.ADS)


class WatchProvider(models.Model):
    tmdb_id = models.IntegerField(unique=True)
    name = models.CharField(max_length=100)
    logo_path = models.CharField(max_length=200, null=True, blank=True)
    display_priority = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "watch_providers"
        ordering = ["display_priority", "name"]

    def __str__(self) -> str:
        return self.name


class MovieWatchProvider(models.Model):
    movie = models.ForeignKey(
        "catalog.Movie", on_delete=models.CASCADE, related_name="watch_offers"
    )
    provider = models.ForeignKey(WatchProvider, on_delete=models.CASCADE, related_name="offers")
    country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2")
    offer_type = models.CharField(max_length=10, choices=OfferType.choices)
    display_priority = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "movie_watch_providers"
        constraints = [
            models.UniqueConstraint(
                fields=["movie", "provider", "country", "offer_type"], name="unique_movie_offer"
            )
        ]
        indexes = [
            models.Index(fields=["country", "offer_type", "movie"], name="idx_offers_country")
        ]

    def __str__(self) -> str:
        return f"{self.movie_id} {self.country} {self.offer_type} {self.provider_id}"
