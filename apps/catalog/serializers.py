from rest_framework import serializers

from apps.catalog.images import image_url
from apps.catalog.models import Genre, Movie


class GenreSerializer(serializers.ModelSerializer):
    class Meta:
        model = Genre
        fields = ["id", "name", "slug", "tmdb_id"]


class MovieSummarySerializer(serializers.ModelSerializer):
    """The compact movie every list shows. Expects genres prefetched (see selectors)."""

    genres = serializers.SerializerMethodField()
    poster_url = serializers.SerializerMethodField()

    class Meta:
        model = Movie
        fields = [
            "id",
            "tmdb_id",
            "imdb_id",
            "title",
            "release_date",
            "release_year",
            "poster_url",
            "tmdb_rating",
            "our_rating",
            "rating_count",
            "popularity_score",
            "is_original",
            "genres",
        ]

    def get_genres(self, movie: Movie) -> list[str]:
        return [genre.name for genre in movie.genres.all()]

    def get_poster_url(self, movie: Movie) -> str | None:
        return image_url(movie.poster_path, "w342")
