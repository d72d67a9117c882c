"""TMDb sync services: on-demand fetch, movie and show sync, ranked lists, enrichment.

HTTP calls happen outside database transactions; each write is its own short transaction
(apps.tmdb.upserts), so a slow or failing TMDb never holds locks or leaves partial rows.
"""

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from apps.catalog.cache import catalog_lists_invalidate, genres_invalidate, movie_detail_invalidate
from apps.catalog.models import Genre, Movie, Person, TMDbList, TMDbListItem, TVShow
from apps.core.cache import cache_add
from apps.core.tasks import enqueue_on_commit
from apps.tmdb import mapping
from apps.tmdb.client import TMDbClient
from apps.tmdb.coerce import MAX_POSITIVE_INT, integer
from apps.tmdb.exceptions import TMDbNotFound, TMDbUnavailable
from apps.tmdb.upserts import (
    genres_upsert,
    movie_upsert,
    person_credits_add,
    person_upsert,
    season_upsert,
    tv_show_upsert,
)

logger = logging.getLogger(__name__)
# A viewed movie's background enrichment is scheduled at most once in this many seconds.
ENRICH_SCHEDULE_TTL = 10 * 60
# Movie credits stored from a person's details: what their page lists as known for.
PERSON_KNOWN_FOR_CREDITS = 20
# Shows that are airing are synced again after this long (the schedule runs every 6 hours).
AIRING_RESYNC = timedelta(hours=20)

# List key (TMDbList.key) -> (kind, TMDb list name). "trending" in the command means both.
LISTS: dict[str, tuple[str, str]] = {
    "movie_popular": ("movie", "popular"),
    "movie_top_rated": ("movie", "top_rated"),
    "movie_upcoming": ("movie", "upcoming"),
    "movie_now_playing": ("movie", "now_playing"),
    "movie_trending_day": ("trending", "day"),
    "movie_trending_week": ("trending", "week"),
    "tv_popular": ("tv", "popular"),
    "tv_top_rated": ("tv", "top_rated"),
}


def _client(client: TMDbClient | None) -> TMDbClient:
    return client or TMDbClient()


def movie_sync_from_tmdb(*, tmdb_id: int, client: TMDbClient | None = None) -> Movie:
    """Fetch a movie's details (credits, videos, keywords, release dates) and upsert them.

    Raises TMDbNotFound when TMDb does not know the id, TMDbUnavailable when TMDb cannot answer.
    """
    data = _client(client).movie_details(tmdb_id)
    if integer(data.get("id")) != int(tmdb_id):
        raise TMDbUnavailable("TMDb answered with another movie than the one asked for.")
    movie = movie_upsert(data=data, details=True)
    transaction.on_commit(lambda: movie_detail_invalidate(movie.pk))
    return movie


def movie_fetch_by_tmdb_id(*, tmdb_id: int, client: TMDbClient | None = None) -> Movie:
    """The movie with this TMDb id: from the database if present, else fetched from TMDb.

    Raises apps.core.exceptions.NotFound (TMDbNotFound) when TMDb says 404, and
    TMDbUnavailable (503) when TMDb is unconfigured, down, slow, rate limiting or the breaker
    is open.
    """
    if not 0 < int(tmdb_id) <= MAX_POSITIVE_INT:
        raise TMDbNotFound()
    movie = Movie.objects.filter(tmdb_id=tmdb_id).first()
    if movie is not None:
        return movie_enrich_on_demand(movie=movie, client=client)
    # A client is waiting: fewer retries than a background sync (the breaker does the rest).
    client = client or _on_demand_client()
    return movie_sync_from_tmdb(tmdb_id=tmdb_id, client=client)


def _on_demand_client() -> TMDbClient:
    return TMDbClient(max_retries=settings.TMDB_ON_DEMAND_MAX_RETRIES)


def movie_enrich_on_demand(*, movie: Movie, client: TMDbClient | None = None) -> Movie:
    """``movie`` with its TMDb details, fetched now if it was never synced (a MovieLens
    movie known only by its TMDb id) and TMDb is configured. A client is waiting on the
    answer: when TMDb cannot answer, the movie is returned as it is (the enrichment task tries
    again later); when TMDb does not know the id, it is marked checked and never asked again."""
    if movie.tmdb_synced_at is not None or movie.tmdb_id is None or not settings.TMDB_ENABLED:
        return movie
    try:
        return movie_sync_from_tmdb(tmdb_id=movie.tmdb_id, client=client or _on_demand_client())
    except TMDbNotFound:
        Movie.objects.filter(pk=movie.pk).update(tmdb_synced_at=timezone.now())
    except TMDbUnavailable:
        logger.info("tmdb_on_demand_enrich_skipped", extra={"tmdb_id": movie.tmdb_id})
    return movie


def movie_enrich_schedule(*, movie_id: int, tmdb_id: int | None) -> bool:
    """Fetch a never-synced movie's details in the background (its detail page was viewed):
    one task per movie at a time. False when nothing was scheduled."""
    from apps.tmdb.tasks import tmdb_movie_sync

    if tmdb_id is None or not settings.TMDB_ENABLED:
        return False
    if not cache_add(f"tmdb:enrich_scheduled:{tmdb_id}", movie_id, ENRICH_SCHEDULE_TTL):
        return False
    enqueue_on_commit(tmdb_movie_sync, tmdb_id)
    return True


def configuration_sync(*, client: TMDbClient | None = None) -> dict:
    """Fetch /configuration (cached 24 h); stores the secure image base URL for image links."""
    return _client(client).configuration()


def genres_sync(*, client: TMDbClient | None = None) -> int:
    """Upsert TMDb's movie and TV genres; returns how many genres TMDb listed."""
    tmdb = _client(client)
    rows = []
    for body in (tmdb.movie_genres(), tmdb.tv_genres()):
        rows += [g for g in map(mapping.genre_fields, body.get("genres") or []) if g]
    genres_upsert(rows)
    genres_invalidate()
    return len(rows)


def _results(body: dict) -> list[dict]:
    results = body.get("results") if isinstance(body, dict) else None
    return [item for item in results if isinstance(item, dict)] if isinstance(results, list) else []


def _fetch_list(tmdb: TMDbClient, key: str, page: int) -> dict:
    kind, name = LISTS[key]
    if kind == "movie":
        return tmdb.movie_list(name, page=page)
    if kind == "trending":
        return tmdb.trending_movies(name, page=page)
    return tmdb.tv_list(name, page=page)


def list_sync(*, key: str, pages: int = 1, client: TMDbClient | None = None) -> int:
    """Fetch one TMDb ranked list and store it as the TMDbList snapshot ``key``.

    All pages are fetched before anything is written: a failure leaves the previous snapshot
    whole. Returns the number of items stored.
    """
    if key not in LISTS:
        raise ValueError(f"unknown list {key!r}; expected one of {', '.join(LISTS)}")
    tmdb = _client(client)
    items: list[dict] = []
    for page in range(1, max(1, pages) + 1):
        body = _fetch_list(tmdb, key, page)
        items += _results(body)
        total_pages = integer(body.get("total_pages")) or 1
        if page >= total_pages:
            break
    if LISTS[key][0] != "tv" and not _genres_known(items):
        try:
            genres_sync(client=tmdb)
        except TMDbUnavailable:
            logger.info("tmdb_genres_sync_skipped")
    return _list_store(key=key, items=items)


def _genres_known(items: list[dict]) -> bool:
    wanted = {i for item in items for i in (mapping.movie_genre_ids(item) or [])}
    return len(wanted) == Genre.objects.filter(tmdb_id__in=wanted).count()


def _list_store(*, key: str, items: list[dict]) -> int:
    is_tv = LISTS[key][0] == "tv"
    targets: list[int] = []
    seen: set[int] = set()
    for item in items:
        tmdb_id = integer(item.get("id"))
        if tmdb_id is None or tmdb_id in seen:
            continue  # TMDb repeats an item across pages when the ranking moves mid-fetch
        seen.add(tmdb_id)
        target = tv_show_upsert(data=item) if is_tv else movie_upsert(data=item)
        targets.append(target.pk)
    with transaction.atomic():
        tmdb_list, _ = TMDbList.objects.get_or_create(key=key)
        tmdb_list = TMDbList.objects.select_for_update().get(pk=tmdb_list.pk)
        TMDbListItem.objects.filter(tmdb_list=tmdb_list).delete()
        TMDbListItem.objects.bulk_create(
            TMDbListItem(
                tmdb_list=tmdb_list,
                position=position,
                **({"show_id": pk} if is_tv else {"movie_id": pk}),
            )
            for position, pk in enumerate(targets, start=1)
        )
        tmdb_list.synced_at = timezone.now()
        tmdb_list.save(update_fields=["synced_at"])
        transaction.on_commit(catalog_lists_invalidate)
        if not is_tv:
            transaction.on_commit(lambda: [movie_detail_invalidate(pk) for pk in targets])
    return len(targets)


def tv_show_sync_from_tmdb(
    *, tmdb_id: int, seasons: bool = False, client: TMDbClient | None = None
) -> TVShow:
    """Fetch a show's details (and, with ``seasons``, each season with its episodes)."""
    tmdb = _client(client)
    data = tmdb.tv_details(tmdb_id)
    show = tv_show_upsert(data=data)
    if seasons:
        for season in data.get("seasons") or []:
            number = integer(season.get("season_number")) if isinstance(season, dict) else None
            if number is not None:
                season_upsert(show=show, data=tmdb.tv_season(tmdb_id, number))
    transaction.on_commit(catalog_lists_invalidate)
    return show


def shows_to_sync():
    """Active shows with a TMDb id that were never synced with their seasons, or that are
    airing (in production) and were last synced more than AIRING_RESYNC ago; the most
    popular first."""
    stale = timezone.now() - AIRING_RESYNC
    return (
        TVShow.objects.filter(is_active=True, tmdb_id__isnull=False)
        .filter(Q(tmdb_synced_at__isnull=True) | Q(in_production=True, tmdb_synced_at__lt=stale))
        .order_by("-popularity_score", "id")
    )


@dataclass
class BatchResult:
    done: int = 0
    not_found: list[int] = field(default_factory=list)
    stopped_by: str = ""


def shows_sync(*, limit: int, client: TMDbClient | None = None) -> BatchResult:
    """Sync up to ``limit`` shows due (``shows_to_sync``) with their seasons and episodes.
    A show TMDb does not know is marked synced; an outage stops the batch."""
    tmdb = _client(client)
    result = BatchResult()
    for show_id, tmdb_id in list(shows_to_sync().values_list("pk", "tmdb_id")[:limit]):
        try:
            tv_show_sync_from_tmdb(tmdb_id=tmdb_id, seasons=True, client=tmdb)
        except TMDbNotFound:
            TVShow.objects.filter(pk=show_id).update(tmdb_synced_at=timezone.now())
            result.not_found.append(tmdb_id)
            continue
        except TMDbUnavailable as exc:
            result.stopped_by = exc.message
            break
        result.done += 1
    return result


def person_sync_from_tmdb(*, tmdb_id: int, client: TMDbClient | None = None) -> Person:
    """Fetch a person's details (biography, birthday, deathday, place of birth, images) and
    their most popular movie credits (known for), and store them."""
    data = _client(client).person_details(tmdb_id)
    if integer(data.get("id")) != int(tmdb_id):
        raise TMDbUnavailable("TMDb answered with another person than the one asked for.")
    person = person_upsert(data=data)
    if person_credits_add(person=person, data=data, limit=PERSON_KNOWN_FOR_CREDITS):
        transaction.on_commit(catalog_lists_invalidate)
    return person


def person_details_on_demand(*, person: Person, client: TMDbClient | None = None) -> bool:
    """Fill a person's details from TMDb now if they were never fetched (people/{id}/ is
    being answered); True if they were. An outage leaves the person as stored; an id TMDb
    does not know is marked checked, so it is not asked again."""
    if person.tmdb_synced_at is not None or not settings.TMDB_ENABLED:
        return False
    try:
        person_sync_from_tmdb(tmdb_id=person.tmdb_id, client=client or _on_demand_client())
    except TMDbNotFound:
        Person.objects.filter(pk=person.pk).update(tmdb_synced_at=timezone.now())
        return False
    except TMDbUnavailable:
        logger.info("tmdb_on_demand_person_skipped", extra={"tmdb_id": person.tmdb_id})
        return False
    return True


def people_popular_sync(
    *, pages: int = 1, details: int = 20, client: TMDbClient | None = None
) -> BatchResult:
    """Store TMDb's popular people (``pages`` pages), then fetch the details of up to
    ``details`` of them never fetched, the most popular first."""
    tmdb = _client(client)
    tmdb_ids: list[int] = []
    for page in range(1, max(1, pages) + 1):
        body = tmdb.person_popular(page=page)
        for item in _results(body):
            if mapping.person_fields(item) is not None:
                tmdb_ids.append(person_upsert(data=item, details=False).tmdb_id)
        if page >= (integer(body.get("total_pages")) or 1):
            break
    result = BatchResult()
    due = (
        Person.objects.filter(tmdb_id__in=tmdb_ids, tmdb_synced_at__isnull=True)
        .order_by("-popularity", "id")
        .values_list("tmdb_id", flat=True)[:details]
    )
    result.done, result.not_found, result.stopped_by = _sync_each(
        list(due), Person, lambda tmdb_id: person_sync_from_tmdb(tmdb_id=tmdb_id, client=tmdb)
    )
    transaction.on_commit(catalog_lists_invalidate)
    return result


def _sync_each(tmdb_ids, model, sync) -> tuple[int, list[int], str]:
    """Sync each id in turn: a TMDb 404 marks the row as checked (``tmdb_synced_at`` set, so it
    is not asked again), an outage stops the batch early and leaves the rest for the next run.
    Returns (synced, not found, the outage's message or "")."""
    done, not_found = 0, []
    for tmdb_id in tmdb_ids:
        try:
            sync(tmdb_id)
        except TMDbNotFound:
            model.objects.filter(tmdb_id=tmdb_id).update(tmdb_synced_at=timezone.now())
            not_found.append(tmdb_id)
            continue
        except TMDbUnavailable as exc:
            return done, not_found, exc.message
        done += 1
    return done, not_found, ""


@dataclass
class EnrichResult:
    enriched: int = 0
    not_found: list[int] = field(default_factory=list)
    remaining: int = 0
    stopped_by: str = ""


def movies_to_enrich():
    """Movies known only by their TMDb id (MovieLens links): never fetched from TMDb."""
    return Movie.objects.filter(tmdb_id__isnull=False, tmdb_synced_at__isnull=True).order_by("id")


def movies_enrich(*, limit: int | None = None, client: TMDbClient | None = None) -> EnrichResult:
    """Fetch details for up to ``limit`` movies never synced (posters, overview, credits...).

    A TMDb 404 marks the movie as checked (tmdb_synced_at set) so it is not asked again; an
    outage stops the batch early, leaving the rest for the next run.
    """
    tmdb = _client(client)
    limit = settings.TMDB_ENRICH_BATCH_SIZE if limit is None else limit
    result = EnrichResult()
    result.enriched, result.not_found, result.stopped_by = _sync_each(
        list(movies_to_enrich().values_list("tmdb_id", flat=True)[:limit]),
        Movie,
        lambda tmdb_id: movie_sync_from_tmdb(tmdb_id=tmdb_id, client=tmdb),
    )
    result.remaining = movies_to_enrich().count()
    return result
