"""Input and output serializers of the interactions app (names prefixed, unique project-wide)."""

from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.catalog.serializers import MovieSummarySerializer
from apps.core.fields import StrictBooleanField
from apps.core.serializers import ModelSerializer
from apps.interactions.models import (
    EpisodeReview,
    Interaction,
    InteractionSource,
    UserList,
    UserListItem,
)

MAX_BIGINT = 2**63 - 1
CLIENT_SOURCES = [
    InteractionSource.WEB,
    InteractionSource.MOBILE,
    InteractionSource.EMAIL,
    InteractionSource.PUSH,
]


@extend_schema_field(
    {"type": "number", "minimum": 0.5, "maximum": 5.0, "multipleOf": 0.5, "format": "double"}
)
class HalfStarRatingField(serializers.DecimalField):
    """0.5 to 5.0 in half steps, as a JSON number or a string ("4.5", "4.50")."""

    default_error_messages = {"half_step": "Must be between 0.5 and 5.0 in steps of 0.5."}

    def __init__(self, **kwargs):
        super().__init__(
            max_digits=4,
            decimal_places=2,
            min_value=Decimal("0.5"),
            max_value=Decimal("5.0"),
            coerce_to_string=False,
            **kwargs,
        )

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if (value * 2) % 1 != 0:
            self.fail("half_step")
        return value.quantize(Decimal("0.1"))


# Inputs of the per-movie write routes.


class InteractionWriteInputSerializer(serializers.Serializer):
    source = serializers.ChoiceField(choices=CLIENT_SOURCES, required=False, default="web")


class InteractionFavoriteInputSerializer(InteractionWriteInputSerializer):
    notes = serializers.CharField(required=False, allow_blank=True, max_length=1000)
    user_rating = HalfStarRatingField(required=False, allow_null=True)


class InteractionRatingInputSerializer(InteractionWriteInputSerializer):
    rating = HalfStarRatingField()


# Outputs of the per-movie write routes.


class InteractionMovieStatsSerializer(serializers.Serializer):
    like_count = serializers.IntegerField()
    dislike_count = serializers.IntegerField()
    view_count = serializers.IntegerField()
    rating_count = serializers.IntegerField()
    our_rating = serializers.DecimalField(max_digits=3, decimal_places=1, allow_null=True)


class InteractionStateSerializer(serializers.Serializer):
    """The user's relation to one movie after a write, with the movie's public aggregates."""

    movie_id = serializers.IntegerField()
    favorite = serializers.BooleanField()
    favorite_notes = serializers.CharField(allow_null=True)
    favorite_rating = serializers.DecimalField(max_digits=2, decimal_places=1, allow_null=True)
    watchlist = serializers.BooleanField()
    like = serializers.BooleanField()
    dislike = serializers.BooleanField()
    rating = serializers.DecimalField(max_digits=2, decimal_places=1, allow_null=True)
    views = serializers.IntegerField(help_text="Counted views by this user.")
    shares = serializers.IntegerField(help_text="Counted shares by this user.")
    movie_stats = InteractionMovieStatsSerializer()


# Outputs of the me/ lists.


class InteractionFavoriteItemSerializer(ModelSerializer):
    movie = MovieSummarySerializer()
    user_rating = serializers.DecimalField(
        source="rating", max_digits=2, decimal_places=1, allow_null=True
    )
    added_at = serializers.DateTimeField(source="timestamp")

    class Meta:
        model = Interaction
        fields = ["movie", "notes", "user_rating", "added_at"]


class InteractionWatchlistItemSerializer(ModelSerializer):
    movie = MovieSummarySerializer()
    added_at = serializers.DateTimeField(source="timestamp")

    class Meta:
        model = Interaction
        fields = ["movie", "added_at"]


class InteractionRatingItemSerializer(ModelSerializer):
    movie = MovieSummarySerializer()
    rated_at = serializers.DateTimeField(source="timestamp")

    class Meta:
        model = Interaction
        fields = ["movie", "rating", "rated_at"]


class InteractionHistoryItemSerializer(ModelSerializer):
    movie = MovieSummarySerializer()
    type = serializers.CharField(source="interaction_type")
    source = serializers.CharField(help_text="web, mobile, email, push, or import.")

    class Meta:
        model = Interaction
        fields = ["type", "movie", "rating", "count", "source", "timestamp"]


class InteractionTopGenreSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    movies = serializers.IntegerField(
        source="enjoyed", help_text="Movies of this genre the user enjoyed."
    )


class InteractionCountsSerializer(serializers.Serializer):
    view = serializers.IntegerField()
    like = serializers.IntegerField()
    dislike = serializers.IntegerField()
    favorite = serializers.IntegerField()
    watchlist = serializers.IntegerField()
    rating = serializers.IntegerField()
    share = serializers.IntegerField()


class InteractionStatsSerializer(serializers.Serializer):
    counts = InteractionCountsSerializer(help_text="Movies per interaction type.")
    total_views = serializers.IntegerField(help_text="Counted views, repeats included.")
    average_rating = serializers.DecimalField(max_digits=4, decimal_places=2, allow_null=True)
    top_genres = InteractionTopGenreSerializer(many=True)


# User lists.


class UserListInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    description = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    is_public = StrictBooleanField(required=False)


class UserListSerializer(ModelSerializer):
    item_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = UserList
        fields = [
            "id",
            "name",
            "description",
            "is_public",
            "share_slug",
            "item_count",
            "created_at",
            "updated_at",
        ]


class UserListPublicSerializer(ModelSerializer):
    owner = serializers.CharField(source="user.username")
    item_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = UserList
        fields = [
            "id",
            "name",
            "description",
            "owner",
            "share_slug",
            "item_count",
            "created_at",
            "updated_at",
        ]


class UserListItemInputSerializer(serializers.Serializer):
    movie_id = serializers.IntegerField(min_value=1, max_value=MAX_BIGINT)
    position = serializers.IntegerField(min_value=1, max_value=1_000_000, required=False)


class UserListItemMoveInputSerializer(serializers.Serializer):
    position = serializers.IntegerField(min_value=1, max_value=1_000_000)


class UserListItemSerializer(ModelSerializer):
    movie = MovieSummarySerializer()

    class Meta:
        model = UserListItem
        fields = ["movie", "position", "added_at"]


class UserListItemStateSerializer(serializers.Serializer):
    list_id = serializers.IntegerField()
    movie_id = serializers.IntegerField()
    in_list = serializers.BooleanField()
    position = serializers.IntegerField(allow_null=True)


# Episode reviews.


class EpisodeReviewInputSerializer(serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=10)
    # Stored exactly as given (no trimming); rendered escaped wherever it is shown.
    review = serializers.CharField(
        max_length=200, required=False, allow_blank=True, trim_whitespace=False
    )


class EpisodeReviewAuthorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()


class EpisodeReviewSerializer(ModelSerializer):
    episode_id = serializers.IntegerField(read_only=True)
    user = EpisodeReviewAuthorSerializer()

    class Meta:
        model = EpisodeReview
        fields = ["id", "episode_id", "user", "rating", "review", "created", "updated"]


class TrendingQuerySerializer(serializers.Serializer):
    window = serializers.ChoiceField(choices=["day", "week"], default="week")
