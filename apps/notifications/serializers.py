from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.accounts.validators import validate_time_zone
from apps.core.outbox.models import NotificationLog
from apps.core.serializers import ModelSerializer
from apps.notifications.models import NotificationPreference, UserDevice

PREFERENCE_FIELDS = [
    "weekly_digest",
    "recommendation_alerts",
    "trending_alerts",
    "new_release_alerts",
    "push_recommendations",
    "push_trending",
    "push_new_releases",
    "digest_day",
    "digest_time",
    "timezone",
    "quiet_hours_start",
    "quiet_hours_end",
]


class StrictBooleanField(serializers.BooleanField):
    """JSON true or false only: no "yes", 0 or "1"."""

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


LOCAL_TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"


@extend_schema_field({"type": "string", "pattern": LOCAL_TIME_PATTERN, "example": "09:00"})
class LocalTimeField(serializers.TimeField):
    """A wall-clock time in the user's timezone, ``HH:MM`` or ``HH:MM:SS`` (no offset: the
    OpenAPI ``time`` format would demand one)."""

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M:%S", input_formats=["%H:%M", "%H:%M:%S"], **kwargs)


class NotificationPreferenceSerializer(ModelSerializer):
    weekly_digest = StrictBooleanField(required=False)
    recommendation_alerts = StrictBooleanField(required=False)
    trending_alerts = StrictBooleanField(required=False)
    new_release_alerts = StrictBooleanField(required=False)
    push_recommendations = StrictBooleanField(required=False)
    push_trending = StrictBooleanField(required=False)
    push_new_releases = StrictBooleanField(required=False)
    digest_day = serializers.IntegerField(
        min_value=1, max_value=7, required=False, help_text="1 = Monday ... 7 = Sunday"
    )
    digest_time = LocalTimeField(required=False)
    quiet_hours_start = LocalTimeField(required=False)
    quiet_hours_end = LocalTimeField(required=False)
    timezone = serializers.CharField(max_length=50, required=False, validators=[validate_time_zone])

    class Meta:
        model = NotificationPreference
        fields = [*PREFERENCE_FIELDS, "updated_at"]
        read_only_fields = ["updated_at"]


class NotificationItemSerializer(ModelSerializer):
    title = serializers.CharField(source="subject")
    body = serializers.CharField(source="content")
    url = serializers.SerializerMethodField()
    read = serializers.SerializerMethodField()

    class Meta:
        model = NotificationLog
        fields = ["id", "kind", "title", "body", "url", "read", "read_at", "created_at"]

    def get_url(self, log) -> str:
        return str((log.context or {}).get("url", ""))

    def get_read(self, log) -> bool:
        return log.read_at is not None


class NotificationListQuerySerializer(serializers.Serializer):
    unread = StrictBooleanField(required=False)

    def to_internal_value(self, data):
        # Query strings carry text: "true" and "false" only.
        value = data.get("unread")
        if value is None:
            return {}
        if value not in ("true", "false"):
            raise serializers.ValidationError({"unread": ["Use true or false."]})
        return {"unread": value == "true"}


class UnreadCountSerializer(serializers.Serializer):
    unread = serializers.IntegerField()


class UserDeviceSerializer(ModelSerializer):
    class Meta:
        model = UserDevice
        fields = ["id", "device_type", "device_name", "is_active", "registered_at", "last_used_at"]


class UserDeviceInputSerializer(serializers.Serializer):
    device_type = serializers.ChoiceField(choices=UserDevice.Type.choices)
    device_token = serializers.CharField(
        max_length=2000,
        help_text="An FCM registration token (ios, android), or the Web Push subscription as "
        'JSON (web): {"endpoint": "https://...", "keys": {"p256dh": "...", "auth": "..."}}.',
    )
    device_name = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default=""
    )
