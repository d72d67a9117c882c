"""Profile fields whose OpenAPI schema says exactly what their validators accept.

A plain CharField documents only a length, so a client (or schemathesis) reading the schema
sends "0" as a language or a time zone and is refused. These fields carry the pattern and the
list of names the server checks against.
"""

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers

from apps.accounts.validators import (
    LANGUAGE_CODE,
    time_zone_names,
    validate_language_code,
    validate_time_zone,
)

LANGUAGE_MAX_LENGTH = 10
TIME_ZONE_MAX_LENGTH = 50


class LanguageCodeField(serializers.CharField):
    """A short language code such as en, fr or pt-BR."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", LANGUAGE_MAX_LENGTH)
        kwargs.setdefault("validators", [validate_language_code])
        super().__init__(**kwargs)


class TimeZoneField(serializers.CharField):
    """An IANA time zone name known to this server (Europe/Paris, UTC)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", TIME_ZONE_MAX_LENGTH)
        kwargs.setdefault("validators", [validate_time_zone])
        super().__init__(**kwargs)


class LanguageCodeFieldExtension(OpenApiSerializerFieldExtension):
    target_class = LanguageCodeField

    def map_serializer_field(self, auto_schema, direction):
        return {
            "type": "string",
            "pattern": LANGUAGE_CODE.pattern,
            "maxLength": LANGUAGE_MAX_LENGTH,
            "description": "A short language code such as en, fr or pt-BR.",
        }


class TimeZoneFieldExtension(OpenApiSerializerFieldExtension):
    """The names are read when the schema is generated, not at import."""

    target_class = TimeZoneField

    def map_serializer_field(self, auto_schema, direction):
        return {
            "type": "string",
            "enum": sorted(time_zone_names()),
            "description": "An IANA time zone name, such as Europe/Paris or UTC.",
        }
