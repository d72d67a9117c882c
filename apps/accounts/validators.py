"""Field validators for accounts input."""

import re
from datetime import date
from functools import lru_cache
from zoneinfo import available_timezones

from django.utils import timezone
from rest_framework import serializers

LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
PHONE_NUMBER = re.compile(r"^\+?[0-9][0-9 ()\-]{3,17}[0-9]$")
EARLIEST_BIRTH_DATE = date(1900, 1, 1)


@lru_cache(maxsize=1)
def time_zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def validate_time_zone(value: str) -> str:
    if value not in time_zone_names():
        raise serializers.ValidationError(
            "Not a known IANA time zone name (for example Europe/Paris or UTC)."
        )
    return value


def validate_language_code(value: str) -> str:
    if not LANGUAGE_CODE.match(value):
        raise serializers.ValidationError("Use a short language code such as en, fr or pt-BR.")
    return value


def validate_phone_number(value: str | None) -> str | None:
    if value and not PHONE_NUMBER.match(value):
        raise serializers.ValidationError(
            "Use digits with an optional leading +, spaces, dashes or parentheses."
        )
    return value


def validate_birth_date(value: date | None) -> date | None:
    if value is not None and not EARLIEST_BIRTH_DATE <= value <= timezone.localdate():
        raise serializers.ValidationError("Must be a past date after 1900-01-01.")
    return value


def validate_username_has_no_at(value: str) -> str:
    # Logins containing @ are looked up as emails, so a username must not contain one.
    if "@" in value:
        raise serializers.ValidationError("A username cannot contain @.")
    return value
