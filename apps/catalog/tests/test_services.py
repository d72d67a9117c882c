"""apps/catalog/services.py, called directly."""

import pytest

from apps.catalog.cache import LISTS_NAMESPACE, movie_namespace
from apps.catalog.models import Movie
from apps.catalog.services import catalog_changed, movies_flag_set
from apps.catalog.tests.factories import MovieFactory
from apps.core.cache import namespace_version

pytestmark = pytest.mark.django_db


def versions(*movie_ids: int) -> list[int]:
    return [namespace_version(LISTS_NAMESPACE)] + [
        namespace_version(movie_namespace(movie_id)) for movie_id in movie_ids
    ]


def test_catalog_changed_drops_the_lists_and_the_details_it_names_once_committed(
    django_capture_on_commit_callbacks,
):
    named, other = MovieFactory(), MovieFactory()
    before = versions(named.pk, other.pk)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        catalog_changed(movie_ids=[named.pk, named.pk])
    assert versions(named.pk, other.pk) == before
    for callback in callbacks:
        callback()

    lists, detail, untouched = versions(named.pk, other.pk)
    assert (lists > before[0], detail > before[1], untouched == before[2]) == (True, True, True)


def test_movies_flag_set_updates_the_named_movies_and_refuses_other_fields(
    django_capture_on_commit_callbacks,
):
    first, second, third = MovieFactory(), MovieFactory(), MovieFactory()
    before = versions(first.pk)

    with django_capture_on_commit_callbacks(execute=True):
        updated = movies_flag_set(movie_ids=[first.pk, second.pk], field="is_active", value=False)

    assert updated == 2
    assert set(Movie.objects.filter(is_active=False).values_list("pk", flat=True)) == {
        first.pk,
        second.pk,
    }
    assert versions(first.pk)[1] > before[1]
    with pytest.raises(ValueError, match="title is not an editor flag"):
        movies_flag_set(movie_ids=[third.pk], field="title", value=True)
