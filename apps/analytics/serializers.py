"""Query parameters and answers of the staff analytics API."""

from datetime import UTC, datetime, timedelta

from rest_framework import serializers

from apps.analytics.selectors import TOP_METRICS

MAX_RANGE_DAYS = 92
DEFAULT_RANGE_DAYS = 30


def _today():
    return datetime.now(UTC).date()


class DateRangeQuerySerializer(serializers.Serializer):
    """``from`` and ``to`` (YYYY-MM-DD, inclusive); default the last 30 days; at most 92."""

    to = serializers.DateField(required=False)

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.DateField(required=False)  # a keyword in Python
        return fields

    def validate(self, attrs):
        end = attrs.get("to") or _today()
        start = attrs.get("from") or end - timedelta(days=DEFAULT_RANGE_DAYS - 1)
        if start > end:
            raise serializers.ValidationError({"from": "Must not be after 'to'."})
        if (end - start).days + 1 > MAX_RANGE_DAYS:
            raise serializers.ValidationError(
                {"from": f"The range may span at most {MAX_RANGE_DAYS} days."}
            )
        if end > _today() + timedelta(days=1):
            raise serializers.ValidationError({"to": "Must not be in the future."})
        return {"start": start, "end": end}


class PerformanceQuerySerializer(DateRangeQuerySerializer):
    endpoint = serializers.CharField(required=False, max_length=200)

    def validate(self, attrs):
        endpoint = attrs.get("endpoint")
        return {**super().validate(attrs), "endpoint": endpoint}


class TopMoviesQuerySerializer(serializers.Serializer):
    metric = serializers.ChoiceField(choices=sorted(TOP_METRICS), default="views")
    date = serializers.DateField(required=False)
    limit = serializers.IntegerField(min_value=1, max_value=100, default=20)


class OverviewDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    active_users = serializers.IntegerField()
    sessions = serializers.IntegerField()
    events = serializers.IntegerField()
    new_users = serializers.IntegerField()
    by_type = serializers.DictField(child=serializers.IntegerField())


class ClickThroughSerializer(serializers.Serializer):
    impressions = serializers.IntegerField()
    clicks = serializers.IntegerField()
    users = serializers.IntegerField(help_text="users shown at least one recommendation")
    ctr = serializers.FloatField(allow_null=True)
    ctr_low = serializers.FloatField(allow_null=True, help_text="95 % interval, users as clusters")
    ctr_high = serializers.FloatField(allow_null=True)


class EngineClickThroughSerializer(ClickThroughSerializer):
    engine = serializers.CharField()


class ArmClickThroughSerializer(ClickThroughSerializer):
    experiment = serializers.CharField()
    arm = serializers.CharField()
    engine = serializers.CharField()


class DayClickThroughSerializer(ClickThroughSerializer):
    date = serializers.DateField()
    engine = serializers.CharField()


class RecommendationsAnalyticsSerializer(serializers.Serializer):
    engines = EngineClickThroughSerializer(many=True)
    arms = ArmClickThroughSerializer(many=True)
    days = DayClickThroughSerializer(many=True)


class TopMovieSerializer(serializers.Serializer):
    movie_id = serializers.IntegerField()
    title = serializers.CharField()
    views = serializers.IntegerField()
    likes = serializers.IntegerField()
    ratings = serializers.IntegerField()
    avg_rating = serializers.DecimalField(max_digits=3, decimal_places=2, allow_null=True)
    recommended = serializers.IntegerField()
    ctr = serializers.DecimalField(max_digits=5, decimal_places=4)


class TopMoviesSerializer(serializers.Serializer):
    date = serializers.DateField(allow_null=True)
    metric = serializers.CharField()
    movies = TopMovieSerializer(many=True)


class EndpointDaySerializer(serializers.Serializer):
    endpoint = serializers.CharField()
    date = serializers.DateField()
    requests = serializers.IntegerField()
    errors = serializers.IntegerField()
    p50 = serializers.FloatField(allow_null=True)
    p95 = serializers.FloatField(allow_null=True)
    p99 = serializers.FloatField(allow_null=True)
