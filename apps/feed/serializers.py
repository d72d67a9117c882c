"""Shapes of the feed's answers. Home page cards are built as plain dicts (apps.feed.cards);
the card serializer describes them for the schema."""

from rest_framework import serializers

from apps.catalog.serializers import context_image_url, summary_genre_names
from apps.core.serializers import ModelSerializer
from apps.feed.cards import movie_rating
from apps.feed.models import Collection, CollectionItem, NewsArticle


class FeedVideoSerializer(serializers.Serializer):
    name = serializers.CharField()
    site = serializers.CharField()
    key = serializers.CharField()
    video_type = serializers.CharField()
    url = serializers.URLField(allow_null=True)


class FeedProviderSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    logo_url = serializers.URLField(allow_null=True)


class FeedCardSerializer(serializers.Serializer):
    """A compact card; the keys after ``in_watchlist`` appear in the sections that have them."""

    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=["movie", "show", "person", "article", "collection"])
    title = serializers.CharField()
    image_url = serializers.URLField(allow_null=True)
    backdrop_url = serializers.URLField(allow_null=True)
    year = serializers.IntegerField(allow_null=True)
    rating = serializers.FloatField(allow_null=True, help_text="Out of 10")
    in_watchlist = serializers.BooleanField(
        allow_null=True, help_text="Movie cards of a logged-in user's page; null otherwise"
    )
    video = FeedVideoSerializer(required=False)
    headline = serializers.CharField(required=False)
    reason = serializers.CharField(required=False)
    recommendation_id = serializers.IntegerField(required=False)
    providers = FeedProviderSerializer(many=True, required=False)
    bayesian_rating = serializers.FloatField(required=False)
    release_date = serializers.DateField(required=False)
    slug = serializers.CharField(required=False)
    description = serializers.CharField(required=False)
    item_count = serializers.IntegerField(required=False)
    summary = serializers.CharField(required=False)
    published_at = serializers.DateTimeField(required=False)
    known_for_department = serializers.CharField(required=False)
    born_today = serializers.BooleanField(required=False)


class FeedSectionSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    items = FeedCardSerializer(many=True)
    more = serializers.CharField(help_text="The section's paginated route")


class FeedHomeSerializer(serializers.Serializer):
    sections = FeedSectionSerializer(many=True)


class CollectionSummarySerializer(ModelSerializer):
    item_count = serializers.IntegerField()

    class Meta:
        model = Collection
        fields = ["id", "slug", "title", "description", "publish_start", "item_count"]


class CollectionEntrySerializer(ModelSerializer):
    """A collection's movie or show, as a card with the editor's note."""

    kind = serializers.SerializerMethodField()
    target_id = serializers.SerializerMethodField()
    title = serializers.SerializerMethodField()
    image_url = serializers.SerializerMethodField()
    year = serializers.SerializerMethodField()
    rating = serializers.SerializerMethodField()
    genres = serializers.SerializerMethodField()

    class Meta:
        model = CollectionItem
        fields = ["position", "kind", "target_id", "title", "image_url", "year", "rating",
                  "genres", "note"]  # fmt: skip

    def get_kind(self, item: CollectionItem) -> str:
        return "movie" if item.movie_id else "show"

    def get_target_id(self, item: CollectionItem) -> int:
        return item.movie_id or item.show_id

    def get_title(self, item: CollectionItem) -> str:
        return item.movie.title if item.movie_id else item.show.name

    def get_image_url(self, item: CollectionItem) -> str | None:
        target = item.movie or item.show
        return context_image_url(self, target.poster_path, "w342")

    def get_year(self, item: CollectionItem) -> int | None:
        if item.movie_id:
            return item.movie.release_year
        return item.show.first_air_date.year if item.show.first_air_date else None

    def get_rating(self, item: CollectionItem) -> float | None:
        if item.movie_id:
            return movie_rating(item.movie)
        return float(item.show.tmdb_rating) if item.show.tmdb_rating is not None else None

    def get_genres(self, item: CollectionItem) -> list[str]:
        return summary_genre_names(item.movie or item.show)


class CollectionDetailSerializer(ModelSerializer):
    items = CollectionEntrySerializer(many=True, source="ordered_items")

    class Meta:
        model = Collection
        fields = ["id", "slug", "title", "description", "publish_start", "publish_end", "items"]


class NewsSummarySerializer(ModelSerializer):
    image_url = serializers.SerializerMethodField()

    class Meta:
        model = NewsArticle
        fields = ["id", "slug", "title", "summary", "image_url", "published_at"]

    def get_image_url(self, article: NewsArticle) -> str | None:
        return article.image_url or None


class NewsRelatedMovieSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    year = serializers.IntegerField(source="release_year", allow_null=True)
    image_url = serializers.SerializerMethodField()

    def get_image_url(self, movie) -> str | None:
        return context_image_url(self, movie.poster_path, "w342")


class NewsRelatedPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    image_url = serializers.SerializerMethodField()

    def get_image_url(self, person) -> str | None:
        return context_image_url(self, person.profile_path, "w185")


class NewsDetailSerializer(NewsSummarySerializer):
    body_html = serializers.CharField(help_text="The body as sanitized HTML")
    related_movies = NewsRelatedMovieSerializer(many=True)
    related_people = NewsRelatedPersonSerializer(many=True)

    class Meta(NewsSummarySerializer.Meta):
        fields = [*NewsSummarySerializer.Meta.fields, "body_format", "body", "body_html",
                  "related_movies", "related_people"]  # fmt: skip
