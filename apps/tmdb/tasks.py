"""Celery tasks: thin, idempotent wrappers over apps.tmdb.services, with time limits.

A TMDb outage is not a task error: the services raise TMDbUnavailable, which is logged once by
the client; the task returns and the next scheduled run tries again.
"""

import logging

from celery import shared_task
from django.conf import settings

from apps.tmdb import services
from apps.tmdb.exceptions import TMDbNotFound, TMDbUnavailable

logger = logging.getLogger(__name__)


@shared_task(name="tmdb.list_sync", time_limit=300, soft_time_limit=270, ignore_result=True)
def tmdb_list_sync(key: str, pages: int = 1) -> int:
    """Refresh one TMDbList snapshot (``movie_popular``, ``tv_top_rated``...)."""
    if not settings.TMDB_ENABLED:
        return 0
    try:
        return services.list_sync(key=key, pages=pages)
    except TMDbUnavailable:
        return 0


@shared_task(name="tmdb.lists_sync", time_limit=900, soft_time_limit=840, ignore_result=True)
def tmdb_lists_sync(keys: list[str] | None = None, pages: int = 1) -> int:
    """Refresh several lists in turn (all of them by default); stops at the first outage."""
    if not settings.TMDB_ENABLED:
        return 0
    stored = 0
    for key in keys or list(services.LISTS):
        try:
            stored += services.list_sync(key=key, pages=pages)
        except TMDbUnavailable:
            break
    return stored


@shared_task(name="tmdb.movie_sync", time_limit=120, soft_time_limit=100, ignore_result=True)
def tmdb_movie_sync(tmdb_id: int) -> int | None:
    """Fetch and store one movie's details; the movie's primary key, or None."""
    if not settings.TMDB_ENABLED:
        return None
    try:
        return services.movie_sync_from_tmdb(tmdb_id=tmdb_id).pk
    except (TMDbNotFound, TMDbUnavailable):
        return None


@shared_task(name="tmdb.movies_enrich", time_limit=900, soft_time_limit=840, ignore_result=True)
def tmdb_movies_enrich(limit: int | None = None) -> int:
    """Fill details of one batch of movies known only by their TMDb id."""
    if not settings.TMDB_ENABLED:
        return 0
    return services.movies_enrich(limit=limit).enriched


@shared_task(name="tmdb.genres_sync", time_limit=120, soft_time_limit=100, ignore_result=True)
def tmdb_genres_sync() -> int:
    if not settings.TMDB_ENABLED:
        return 0
    try:
        services.configuration_sync()
        return services.genres_sync()
    except TMDbUnavailable:
        return 0


@shared_task(name="tmdb.shows_sync", time_limit=900, soft_time_limit=840, ignore_result=True)
def tmdb_shows_sync(limit: int | None = None) -> int:
    """Sync the seasons and episodes of one batch of shows: never synced, or airing."""
    if not settings.TMDB_ENABLED:
        return 0
    return services.shows_sync(limit=limit or settings.TMDB_SHOWS_BATCH_SIZE).done


@shared_task(name="tmdb.people_sync", time_limit=900, soft_time_limit=840, ignore_result=True)
def tmdb_people_sync(pages: int = 1) -> int:
    """Refresh TMDb's popular people and fetch the details of those never fetched."""
    if not settings.TMDB_ENABLED:
        return 0
    try:
        return services.people_popular_sync(
            pages=pages, details=settings.TMDB_PEOPLE_DETAILS_BATCH_SIZE
        ).done
    except TMDbUnavailable:
        return 0
