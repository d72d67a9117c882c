"""Input and output shapes of the recommendation endpoints."""

from rest_framework import serializers

from apps.catalog.serializers import MovieSummarySerializer
from apps.core.serializers import ModelSerializer
from apps.recommendations.engines import ENGINE_NAMES
from apps.recommendations.models import FeedbackType, RecommendationFeedback, UserRecommendation
from apps.recommendations.scoring import STORED_PER_ENGINE


class RecommendationListQuerySerializer(serializers.Serializer):
    engine = serializers.ChoiceField(choices=ENGINE_NAMES, default=None)
    limit = serializers.IntegerField(min_value=1, max_value=STORED_PER_ENGINE, default=20)


class RecommendationLimitQuerySerializer(serializers.Serializer):
    limit = serializers.IntegerField(min_value=1, max_value=STORED_PER_ENGINE, default=20)


class RecommendationItemSerializer(ModelSerializer):
    """One stored recommendation: the movie, its [0, 1] score, the engine and the reason."""

    movie = MovieSummarySerializer()
    engine = serializers.CharField(source="algorithm")
    reason = serializers.CharField(source="reason.text")

    class Meta:
        model = UserRecommendation
        fields = ["id", "movie", "score", "engine", "reason"]


class RecommendationMovieItemSerializer(serializers.Serializer):
    """A recommendation that is not stored (anonymous, or for a movie): no id."""

    movie = MovieSummarySerializer()
    score = serializers.FloatField(min_value=0.0, max_value=1.0)
    engine = serializers.CharField()
    reason = serializers.CharField()


class RecommendationClickSerializer(ModelSerializer):
    engine = serializers.CharField(source="algorithm")

    class Meta:
        model = UserRecommendation
        fields = ["id", "movie_id", "engine", "clicked", "clicked_at"]


class RecommendationFeedbackInputSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=FeedbackType.choices)
    comment = serializers.CharField(
        required=False, allow_blank=True, max_length=1000, default="", trim_whitespace=True
    )

    def validate_comment(self, value: str) -> str:
        if "\x00" in value:
            raise serializers.ValidationError("Must not contain NUL characters.")
        return value


class RecommendationFeedbackSerializer(ModelSerializer):
    type = serializers.CharField(source="feedback_type")
    recommendation = serializers.IntegerField(source="recommendation_id")

    class Meta:
        model = RecommendationFeedback
        fields = ["id", "recommendation", "type", "comment", "timestamp"]
