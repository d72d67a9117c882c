"""The base of the project's query filter sets (django-filter).

django-filter builds, for every FilterSet instance (every request with query filters), a new
form class and a new form field for each filter, labels included. None of it depends on the
request or its data, only on the class's filters (a filter whose choices come from a callable
given the request is the exception: a class with one builds its form per instance, as before),
so ``FilterSet`` builds its form class once per class and keeps it. A cached filtered movie
list, whose cache key is its validated parameters, took 1.4 to 1.9 ms of CPU in one process
before and 0.9 to 1.2 ms after (docs/stack-history.md, "third session"). Django's form
deep-copies the class's fields for each form instance, so requests never share a field.
"""

import django_filters
from django import forms
from django_filters.filters import QuerySetRequestMixin

_FORM_CLASS = "_built_form_class"


def _request_dependent(filters) -> bool:
    return any(
        isinstance(f, QuerySetRequestMixin) and callable(f.queryset) for f in filters.values()
    )


class FilterSet(django_filters.FilterSet):
    def get_form_class(self) -> type[forms.Form]:
        cls = type(self)
        built = cls.__dict__.get(_FORM_CLASS)  # the class's own: a subclass builds its own
        if built is None:
            # Two threads may both build it on a process's first requests: the same class.
            built = super().get_form_class()
            if not _request_dependent(self.filters):
                setattr(cls, _FORM_CLASS, built)
        return built

    @classmethod
    def bound_form(cls, data, *, queryset) -> forms.Form:
        """The form validating ``data`` as an instance on ``queryset`` would, without making
        the instance (and its copy of every filter) once the class has its form class."""
        built = cls.__dict__.get(_FORM_CLASS)
        if built is None:
            return cls(data, queryset=queryset).form
        return built(data)
