"""apps.core.filters.FilterSet: the form class built once per filter set class."""

import django_filters
import pytest
from django.contrib.auth import get_user_model

from apps.catalog.filters import MovieFilter, movie_filter_key
from apps.catalog.models import Movie
from apps.core.filters import FilterSet


class _Plain(FilterSet):
    year_min = django_filters.NumberFilter(field_name="release_year", lookup_expr="gte")


class _Child(_Plain):
    title = django_filters.CharFilter()


class _PerRequest(FilterSet):
    user = django_filters.ModelChoiceFilter(queryset=lambda request: get_user_model().objects.all())


def _instance(cls, data=None):
    return cls(data or {}, queryset=Movie.objects.none())


def test_form_class_is_built_once_per_class():
    first, second = _instance(_Plain), _instance(_Plain)
    assert first.get_form_class() is second.get_form_class()
    assert set(first.get_form_class().base_fields) == {"year_min"}


def test_a_subclass_builds_its_own_form_class():
    assert _instance(_Plain).get_form_class() is not _instance(_Child).get_form_class()
    assert set(_instance(_Child).get_form_class().base_fields) == {"year_min", "title"}


def test_forms_do_not_share_fields_or_data():
    good = _instance(_Plain, {"year_min": "1990"}).form
    bad = _instance(_Plain, {"year_min": "soon"}).form
    assert good.is_valid() and good.cleaned_data["year_min"] == 1990
    assert not bad.is_valid() and "year_min" in bad.errors
    assert good.fields["year_min"] is not bad.fields["year_min"]


@pytest.mark.django_db
def test_a_filter_set_with_a_per_request_field_is_not_kept():
    first, second = _instance(_PerRequest), _instance(_PerRequest)
    assert first.get_form_class() is not second.get_form_class()


def test_bound_form_validates_as_an_instance_would():
    for data in ({"year_min": "1990", "ordering": "-rating"}, {"year_min": "x"}, {}):
        by_instance = MovieFilter(data, queryset=Movie.objects.none()).form
        bound = MovieFilter.bound_form(data, queryset=Movie.objects.none())
        assert bound.is_valid() == by_instance.is_valid()
        assert bound.errors == by_instance.errors
        if bound.is_valid():
            assert bound.cleaned_data == by_instance.cleaned_data


def test_movie_filter_key_is_the_same_for_any_spelling_and_none_when_invalid():
    key = movie_filter_key({"year_min": "1990", "genre": "4", "unknown": "x", "status": ""})
    assert key == movie_filter_key({"genre": "4", "year_min": "1990"})
    assert key != movie_filter_key({"genre": "4", "year_min": "1991"})
    assert movie_filter_key({"year_min": "soon"}) is None
    assert movie_filter_key({"q": "alien"}) is None
