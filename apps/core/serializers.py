"""The base class of every app's model serializers: DRF's ModelSerializer with its fields
worked out from the model once per class.

DRF builds a serializer's fields for every instance: it reads the model's fields, maps each to
a serializer field with its options and validators, and instantiates them. A movie page made
on a cache miss used eight serializers, and building their fields cost about a fifth of the
page's CPU (1.1 ms for the page's own serializer alone). Here the first instance of a class
keeps what ``get_fields`` built (unbound fields: DRF binds the ones an instance uses to it),
and every instance gets a deep copy of those, which is what DRF already does with the fields a
class declares (about half the cost of building them). A subclass that overrides
``get_fields`` and calls ``super()`` receives its own copy to change.

The fields depend only on the class (its Meta and declared fields), never on an instance, its
data or context: that is what makes them safe to keep. Two threads that build the first copy at
once build the same fields, and either may be kept.
"""

import copy

from rest_framework import serializers


class ModelSerializer(serializers.ModelSerializer):
    # No docstring: drf-spectacular describes a serializer without a docstring of its own by
    # the first one in its bases before DRF's, which would be this class's.

    def get_fields(self):
        cls = type(self)
        built = cls.__dict__.get("_fields_built")
        if built is None:
            built = super().get_fields()
            cls._fields_built = built
        return copy.deepcopy(built)
