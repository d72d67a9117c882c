"""Input and output serializers of the accounts endpoints (names prefixed Account*)."""

from django.contrib.auth.validators import UnicodeUsernameValidator
from rest_framework import serializers

from apps.accounts.fields import LanguageCodeField, TimeZoneField
from apps.accounts.identity import identity_clean
from apps.accounts.models import Profile, User
from apps.accounts.validators import (
    validate_birth_date,
    validate_phone_number,
    validate_username_has_no_at,
)
from apps.catalog.serializers import GenreSerializer
from apps.core.serializers import ModelSerializer

PASSWORD_MAX_LENGTH = 128
BIGINT_MAX = 2**63 - 1
PROFILE_FIELDS = ("bio", "avatar", "preferred_language", "timezone", "country")


class _NormalizedCharField(serializers.CharField):
    """Normalised (NFKC, trimmed: apps.accounts.identity) before its validators run."""

    def to_internal_value(self, data):
        return identity_clean(super().to_internal_value(data))


class _NormalizedEmailField(serializers.EmailField):
    def to_internal_value(self, data):
        return identity_clean(super().to_internal_value(data))


def _password_field(**kwargs) -> serializers.CharField:
    return serializers.CharField(
        write_only=True,
        trim_whitespace=False,
        max_length=PASSWORD_MAX_LENGTH,
        style={"input_type": "password"},
        **kwargs,
    )


# Outputs


class AccountProfileSerializer(ModelSerializer):
    class Meta:
        model = Profile
        fields = ["bio", "avatar", "preferred_language", "timezone", "country"]
        read_only_fields = fields


class AccountUserSerializer(ModelSerializer):
    """The user with the profile. Expects ``profile`` joined (see selectors)."""

    profile = AccountProfileSerializer(read_only=True)
    email_verified = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "email",
            "email_verified",
            "email_verified_at",
            "first_name",
            "last_name",
            "date_of_birth",
            "phone_number",
            "is_premium",
            "date_joined",
            "profile",
        ]
        read_only_fields = fields

    def get_email_verified(self, user: User) -> bool:
        return user.email_verified_at is not None


class AccountTokenPairSerializer(serializers.Serializer):
    access = serializers.CharField(read_only=True)
    refresh = serializers.CharField(read_only=True)


class AccountLoginResultSerializer(AccountTokenPairSerializer):
    user = AccountUserSerializer(read_only=True)


class AccountDetailSerializer(serializers.Serializer):
    detail = serializers.CharField(read_only=True)


class AccountEmailStatusSerializer(serializers.Serializer):
    email = serializers.EmailField(read_only=True)
    email_verified = serializers.BooleanField(read_only=True)


class AccountFavoriteGenresSerializer(serializers.Serializer):
    genre_ids = serializers.ListField(child=serializers.IntegerField(), read_only=True)
    genres = GenreSerializer(many=True, read_only=True)


# Inputs


class AccountProfileInputSerializer(serializers.Serializer):
    bio = serializers.CharField(max_length=2000, allow_blank=True, required=False)
    avatar = serializers.URLField(max_length=200, allow_null=True, allow_blank=True, required=False)
    preferred_language = LanguageCodeField(required=False)
    timezone = TimeZoneField(required=False)
    country = serializers.CharField(max_length=50, allow_blank=True, required=False)

    def validate_avatar(self, value: str | None) -> str | None:
        if not value:
            return None
        if not value.lower().startswith(("https://", "http://")):
            raise serializers.ValidationError("Use an http or https URL.")
        return value


class _WithProfileFieldsSerializer(AccountProfileInputSerializer):
    """Profile fields at the top level, or nested under ``profile`` (nested values win)."""

    profile = AccountProfileInputSerializer(required=False)

    def split(self) -> tuple[dict, dict]:
        """(user fields, profile fields) of the validated data."""
        data = dict(self.validated_data)
        profile = {field: data.pop(field) for field in PROFILE_FIELDS if field in data}
        profile.update(data.pop("profile", None) or {})
        return data, profile

    def validate_phone_number(self, value: str | None) -> str | None:
        return value or None


class AccountRegisterSerializer(_WithProfileFieldsSerializer):
    """Only these fields can be set: staff, superuser, active, premium and verification flags
    are not inputs, so sending them changes nothing."""

    username = _NormalizedCharField(
        max_length=150,
        validators=[UnicodeUsernameValidator(), validate_username_has_no_at],
    )
    email = _NormalizedEmailField(max_length=254)
    password = _password_field()
    first_name = serializers.CharField(max_length=150, allow_blank=True, required=False)
    last_name = serializers.CharField(max_length=150, allow_blank=True, required=False)
    date_of_birth = serializers.DateField(
        allow_null=True, required=False, validators=[validate_birth_date]
    )
    phone_number = serializers.CharField(
        max_length=20,
        allow_null=True,
        allow_blank=True,
        required=False,
        validators=[validate_phone_number],
    )


class AccountMeUpdateSerializer(_WithProfileFieldsSerializer):
    """PATCH of the user and the profile together. Changing the email needs the password."""

    email = _NormalizedEmailField(max_length=254, required=False)
    current_password = _password_field(required=False)
    first_name = serializers.CharField(max_length=150, allow_blank=True, required=False)
    last_name = serializers.CharField(max_length=150, allow_blank=True, required=False)
    date_of_birth = serializers.DateField(
        allow_null=True, required=False, validators=[validate_birth_date]
    )
    phone_number = serializers.CharField(
        max_length=20,
        allow_null=True,
        allow_blank=True,
        required=False,
        validators=[validate_phone_number],
    )


class AccountDeleteSerializer(serializers.Serializer):
    """DELETE me/: the current password, as changing the email needs it."""

    current_password = _password_field()


class AccountLoginSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=254, help_text="A username or an email address.")
    password = _password_field()
    challenge = serializers.CharField(
        max_length=1024,
        required=False,
        help_text=(
            "Only after a 429 with the code login_challenge: the challenge from its details, "
            "sent once its Retry-After seconds have passed."
        ),
    )


class AccountRefreshInputSerializer(serializers.Serializer):
    refresh = serializers.CharField(max_length=4096, trim_whitespace=True)


class AccountPasswordChangeSerializer(serializers.Serializer):
    old_password = _password_field()
    new_password = _password_field()


class AccountPasswordResetSerializer(serializers.Serializer):
    email = _NormalizedEmailField(max_length=254)


class AccountPasswordResetConfirmSerializer(serializers.Serializer):
    uid = serializers.CharField(max_length=64)
    token = serializers.CharField(max_length=128)
    new_password = _password_field()


class AccountEmailVerifySerializer(serializers.Serializer):
    token = serializers.CharField(max_length=1024)


class AccountFavoriteGenresInputSerializer(serializers.Serializer):
    genre_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=BIGINT_MAX),
        max_length=100,
        allow_empty=True,
    )
