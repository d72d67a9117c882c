"""Writes to the catalog made by editors (the admin). TMDb and MovieLens writes live in their
own modules; every write here drops the cached answers it changes once it has committed."""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from apps.catalog.cache import catalog_lists_invalidate, movie_detail_invalidate
from apps.catalog.models import Movie


def catalog_changed(*, movie_ids: Iterable[int] = ()) -> None:
    """After the current transaction commits: drop these movies' cached details and every
    cached list (a title, a flag or a soft delete can move a movie in or out of any list)."""
    ids = sorted(set(movie_ids))

    def invalidate() -> None:
        for movie_id in ids:
            movie_detail_invalidate(movie_id)
        catalog_lists_invalidate()

    transaction.on_commit(invalidate)


def movies_flag_set(*, movie_ids: Iterable[int], field: str, value: bool) -> int:
    """Set ``is_original`` or ``is_active`` on many movies in one statement; returns how many."""
    if field not in {"is_original", "is_active"}:
        raise ValueError(f"{field} is not an editor flag")
    ids = list(movie_ids)
    with transaction.atomic():
        updated = Movie.objects.filter(pk__in=ids).update(
            **{field: value}, updated_at=timezone.now()
        )
        catalog_changed(movie_ids=ids)
    return updated
