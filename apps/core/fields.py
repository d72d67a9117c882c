"""Serializer fields shared by every app's input serializers."""

from rest_framework import serializers


class StrictBooleanField(serializers.BooleanField):
    """A JSON ``true`` or ``false`` and nothing else.

    DRF's BooleanField also takes 0, 1, "0", "yes", "on" and their kind, so a body the OpenAPI
    schema calls invalid (a boolean field holding 0) was accepted and stored as false. Use this
    one for every boolean a request body sets.
    """

    default_error_messages = {"invalid": "Must be true or false (a JSON boolean)."}

    def to_internal_value(self, data):
        if data is True or data is False:
            return data
        self.fail("invalid", input=data)
