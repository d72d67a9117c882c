"""The MovieLens importer: movies, links, genres, tags, users and ratings, idempotently.

Every file is streamed with csv.reader and written in batches with bulk operations. What stays
in memory is bounded by the number of movies and users (id maps, links.csv's ids, tag counts
per movie and tag), never by the number of ratings. A second run over the same files changes
nothing: movies are matched by their MovieLens id, users by username, ratings by the
(user, movie, type) unique key, tags by (movie, tag).
"""

import csv
import datetime
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from itertools import islice
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import Case, Count, DecimalField, F, OuterRef, Subquery, Sum, Value, When
from django.db.models.functions import Cast, Coalesce, Lower, Round
from django.utils.text import slugify

from apps.accounts.models import Profile
from apps.catalog.cache import catalog_lists_invalidate, genres_invalidate, movie_detail_invalidate
from apps.catalog.models import Genre, Movie, MovieGenre, MovieTag
from apps.catalog.movielens.titles import GENRES, genres_parse, imdb_id_format, title_parse
from apps.interactions.models import Interaction, InteractionSource, InteractionType

logger = logging.getLogger(__name__)

BATCH_SIZE = 2000
RATINGS_BATCH_SIZE = 5000
USERNAME_PREFIX = "ml_"
EMAIL_DOMAIN = "movielens.invalid"
_HALF_STEPS = {Decimal(step) / 2 for step in range(1, 11)}

Progress = Callable[[str, int | None], "ProgressBar"]


class ProgressBar:
    """The do-nothing progress bar (the command passes a tqdm factory instead)."""

    def update(self, n: int = 1) -> None:
        return None

    def close(self) -> None:
        return None


def _no_progress(_label: str, _total: int | None) -> ProgressBar:
    return ProgressBar()


@dataclass
class ImportReport:
    movies_created: int = 0
    movies_updated: int = 0
    duplicate_links: list[str] = field(default_factory=list)
    tags: int = 0
    users_created: int = 0
    users_foreign: list[str] = field(default_factory=list)
    ratings: int = 0
    ratings_skipped: int = 0
    movies_rescored: int = 0
    created_pks: set[int] = field(default_factory=set, repr=False)


def _rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        yield from csv.DictReader(handle)


def _batches(rows: Iterator, size: int) -> Iterator[list]:
    while batch := list(islice(rows, size)):
        yield batch


def _line_count(path: Path) -> int:
    with path.open("rb") as handle:
        return max(0, sum(1 for _ in handle) - 1)


def _int(value: str | None) -> int | None:
    try:
        return int((value or "").strip())
    except ValueError:
        return None


def movielens_import(
    *,
    directory: Path,
    ratings_file: Path | None = None,
    progress: Progress = _no_progress,
) -> ImportReport:
    """Import a MovieLens directory (movies.csv, links.csv, tags.csv, ratings.csv)."""
    directory = Path(directory)
    report = ImportReport()
    genre_pks = _genres_ensure()
    links = _links_read(directory / "links.csv")
    _movies_import(directory / "movies.csv", links, genre_pks, report, progress)
    movie_pks = dict(
        Movie.objects.filter(movielens_id__isnull=False).values_list("movielens_id", "pk")
    )
    if (directory / "tags.csv").exists():
        _tags_import(directory / "tags.csv", movie_pks, report, progress)
    ratings_path = Path(ratings_file) if ratings_file else directory / "ratings.csv"
    if ratings_path.exists():
        _ratings_import(ratings_path, movie_pks, report, progress)
    changed = _movie_ratings_recompute()
    report.movies_rescored = len(changed)
    # A movie this run created has no cached detail worth dropping (one request during the
    # import could have cached it; its TTL bounds that): skipping them saves a cache round
    # trip per movie on a first import.
    for pk in set(changed) - report.created_pks:
        movie_detail_invalidate(pk)
    catalog_lists_invalidate()
    genres_invalidate()
    return report


# Genres ------------------------------------------------------------------------------------


def _genres_ensure() -> dict[str, int]:
    """Our genre names used by MovieLens -> primary keys, creating what is missing."""
    result: dict[str, int] = {}
    for name, tmdb_id in sorted(set(GENRES.values()), key=lambda item: item[0]):
        genre = None
        if tmdb_id is not None:
            genre = Genre.objects.filter(tmdb_id=tmdb_id).first()
        genre = genre or Genre.objects.filter(name__iexact=name).first()
        if genre is None:
            genre, _ = Genre.objects.get_or_create(
                name=name, defaults={"tmdb_id": tmdb_id, "slug": slugify(name)[:50]}
            )
        elif genre.tmdb_id is None and tmdb_id is not None:
            genre.tmdb_id = tmdb_id
            genre.save(update_fields=["tmdb_id"])
        result[name] = genre.pk
    return result


def _genre_pk(name: str, genre_pks: dict[str, int]) -> int:
    """A genre MovieLens may add one day (not in GENRES) is created under its own name."""
    if name not in genre_pks:
        genre, _ = Genre.objects.get_or_create(
            name=name[:100], defaults={"slug": slugify(name)[:50] or f"genre-{len(genre_pks)}"}
        )
        genre_pks[name] = genre.pk
    return genre_pks[name]


# Movies ------------------------------------------------------------------------------------


def _links_read(path: Path) -> dict[int, tuple[str | None, int | None]]:
    """movieId -> (imdb id, tmdb id): ids only, one small tuple per movie."""
    links: dict[int, tuple[str | None, int | None]] = {}
    if not path.exists():
        return links
    for row in _rows(path):
        movielens_id = _int(row.get("movieId"))
        if movielens_id is not None:
            tmdb_id = _int(row.get("tmdbId"))
            links[movielens_id] = (
                imdb_id_format(row.get("imdbId", "")),
                tmdb_id if tmdb_id and 0 < tmdb_id < 2**31 else None,
            )
    return links


def _movies_import(path, links, genre_pks, report: ImportReport, progress: Progress) -> None:
    bar = progress("movies", _line_count(path))
    for batch in _batches(_rows(path), BATCH_SIZE):
        with transaction.atomic():
            _movies_batch(batch, links, genre_pks, report)
        bar.update(len(batch))
    bar.close()


def _movies_batch(batch: list[dict], links, genre_pks, report: ImportReport) -> None:
    parsed = {}
    for row in batch:
        movielens_id = _int(row.get("movieId"))
        if movielens_id is None or movielens_id in parsed:
            continue
        imdb_id, tmdb_id = links.get(movielens_id, (None, None))
        parsed[movielens_id] = (
            title_parse(row.get("title", "")),
            genres_parse(row.get("genres", "")),
            imdb_id,
            tmdb_id,
        )
    tmdb_ids = [p[3] for p in parsed.values() if p[3]]
    imdb_ids = [p[2] for p in parsed.values() if p[2]]
    by_movielens = {m.movielens_id: m for m in Movie.objects.filter(movielens_id__in=parsed)}
    holders = Movie.objects.filter(tmdb_id__in=tmdb_ids) | Movie.objects.filter(
        imdb_id__in=imdb_ids
    )
    by_tmdb, by_imdb = {}, {}
    for movie in holders:
        by_tmdb.setdefault(movie.tmdb_id, movie)
        by_imdb.setdefault(movie.imdb_id, movie)

    to_create, to_update, genre_links = [], {}, []
    for movielens_id, (title, genres, imdb_id, tmdb_id) in parsed.items():
        movie = by_movielens.get(movielens_id)
        if movie is None:
            # A movie TMDb sync created before the import: adopt it instead of duplicating it.
            for candidate in (by_tmdb.get(tmdb_id), by_imdb.get(imdb_id)):
                if candidate is not None and candidate.movielens_id is None and candidate.pk:
                    movie = candidate
                    break
        if movie is None:
            movie = Movie(title=title.title[:200])
            to_create.append(movie)
        changes = _movie_changes(movie, movielens_id, title, imdb_id, tmdb_id, by_tmdb, by_imdb)
        for name, value in changes.items():
            setattr(movie, name, value)
        if movie.pk and changes:
            to_update[movie.pk] = movie
        if imdb_id and movie.imdb_id != imdb_id:
            report.duplicate_links.append(f"movieId {movielens_id}: imdb id {imdb_id} taken")
        if tmdb_id and movie.tmdb_id != tmdb_id:
            report.duplicate_links.append(f"movieId {movielens_id}: tmdb id {tmdb_id} taken")
        genre_links.append((movie, genres))

    Movie.objects.bulk_create(to_create)
    if to_update:
        Movie.objects.bulk_update(
            list(to_update.values()),
            ["movielens_id", "imdb_id", "tmdb_id", "release_year"],
        )
    report.movies_created += len(to_create)
    report.created_pks.update(movie.pk for movie in to_create)
    report.movies_updated += len(to_update)
    MovieGenre.objects.bulk_create(
        [
            MovieGenre(movie_id=movie.pk, genre_id=_genre_pk(name, genre_pks))
            for movie, names in genre_links
            for name in names
        ],
        ignore_conflicts=True,
    )


def _movie_changes(movie, movielens_id, title, imdb_id, tmdb_id, by_tmdb, by_imdb) -> dict:
    """The fields to set on ``movie``.

    Titles are written only on the movies the import creates: a title TMDb synced or an editor
    corrected is never reverted. An id another movie holds (links.csv repeats a few tmdb ids)
    is left to that movie.
    """
    wanted: dict = {"movielens_id": movielens_id}
    if tmdb_id and movie.tmdb_id is None and by_tmdb.get(tmdb_id, movie) is movie:
        wanted["tmdb_id"] = tmdb_id
        by_tmdb[tmdb_id] = movie
    if imdb_id and movie.imdb_id is None and by_imdb.get(imdb_id, movie) is movie:
        wanted["imdb_id"] = imdb_id
        by_imdb[imdb_id] = movie
    if movie.pk is None:
        wanted["title"] = title.title[:200]
        wanted["original_title"] = title.alternate_title[:200]
    if movie.release_year is None and title.year is not None:
        wanted["release_year"] = title.year
    return {name: value for name, value in wanted.items() if getattr(movie, name) != value}


# Tags --------------------------------------------------------------------------------------


def _tags_import(path: Path, movie_pks, report: ImportReport, progress: Progress) -> None:
    """Tags counted per (movie, tag), case-insensitively; the first spelling seen is kept."""
    counts: dict[tuple[int, str], list] = {}
    bar = progress("tags", _line_count(path))
    for row in _rows(path):
        bar.update()
        movie_pk = movie_pks.get(_int(row.get("movieId")))
        tag = " ".join((row.get("tag") or "").split())[:100]
        if movie_pk is None or not tag:
            continue
        entry = counts.setdefault((movie_pk, tag.lower()), [tag, 0])
        entry[1] += 1
    bar.close()
    items = [MovieTag(movie_id=key[0], tag=tag, count=n) for key, (tag, n) in counts.items()]
    existing = {
        (movie_id, tag.lower()): (tag, count)
        for movie_id, tag, count in MovieTag.objects.filter(
            movie_id__in={key[0] for key in counts}
        ).values_list("movie_id", "tag", "count")
    }
    changed = [
        item
        for item in items
        if existing.get((item.movie_id, item.tag.lower()), (None, None))[1] != item.count
    ]
    for item in changed:  # keep the stored spelling so the unique key matches
        item.tag = existing.get((item.movie_id, item.tag.lower()), (item.tag, 0))[0]
    for batch in _batches(iter(changed), BATCH_SIZE):
        with transaction.atomic():
            MovieTag.objects.bulk_create(
                batch,
                update_conflicts=True,
                unique_fields=["movie", "tag"],
                update_fields=["count"],
            )
    report.tags = len(items)


# Users and ratings -------------------------------------------------------------------------


def _accounts_by_username(names) -> dict[str, tuple[int, str]]:
    """Lower-cased username -> (pk, email), matching usernames case-insensitively like the
    unique constraint does."""
    return {
        username.lower(): (pk, email)
        for username, pk, email in get_user_model()
        .objects.annotate(username_lower=Lower("username"))
        .filter(username_lower__in=list(names))
        .values_list("username", "pk", "email")
    }


def _users_ensure(movielens_user_ids: set[int], user_pks: dict, report) -> None:
    """Create the users ml_<userId> not seen yet, each with a Profile; fill ``user_pks``.

    A username already taken by someone who is not this MovieLens user (another email) maps
    to None: that userId's ratings are skipped rather than given to a real account.
    """
    missing = movielens_user_ids - user_pks.keys()
    if not missing:
        return
    User = get_user_model()
    names = {f"{USERNAME_PREFIX}{uid}": uid for uid in missing}
    existing = _accounts_by_username(names)
    User.objects.bulk_create(
        [
            User(username=name, email=f"{name}@{EMAIL_DOMAIN}", password=make_password(None))
            for name in sorted(names.keys() - existing.keys())
        ],
        ignore_conflicts=True,
    )
    accounts = _accounts_by_username(names)
    new_pks = []
    for name, uid in names.items():
        pk, email = accounts.get(name, (None, ""))
        if pk is None or email.lower() != f"{name}@{EMAIL_DOMAIN}":
            user_pks[uid] = None
            report.users_foreign.append(name)
            continue
        user_pks[uid] = pk
        if name not in existing:
            new_pks.append(pk)
    Profile.objects.bulk_create([Profile(user_id=pk) for pk in new_pks], ignore_conflicts=True)
    report.users_created += len(new_pks)


def _rating(value: str | None) -> Decimal | None:
    try:
        rating = Decimal((value or "").strip())
    except InvalidOperation:
        return None
    return rating if rating in _HALF_STEPS else None


def _timestamp(value: str | None) -> datetime.datetime | None:
    seconds = _int(value)
    if seconds is None:
        return None
    try:
        return datetime.datetime.fromtimestamp(seconds, tz=datetime.UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _ratings_import(path: Path, movie_pks, report: ImportReport, progress: Progress) -> None:
    user_pks: dict[int, int] = {}
    bar = progress("ratings", _line_count(path))
    for batch in _batches(_rows(path), RATINGS_BATCH_SIZE):
        with transaction.atomic():
            _ratings_batch(batch, movie_pks, user_pks, report)
        bar.update(len(batch))
    bar.close()


def _ratings_batch(batch: list[dict], movie_pks, user_pks, report: ImportReport) -> None:
    parsed: dict[tuple[int, int], tuple[Decimal, datetime.datetime]] = {}
    for row in batch:
        user_id, movie_pk = _int(row.get("userId")), movie_pks.get(_int(row.get("movieId")))
        rating, when = _rating(row.get("rating")), _timestamp(row.get("timestamp"))
        if user_id is None or user_id <= 0 or movie_pk is None or rating is None or when is None:
            report.ratings_skipped += 1
            continue
        previous = parsed.get((user_id, movie_pk))
        if previous is None or previous[1] <= when:  # the latest rating of a pair wins
            parsed[(user_id, movie_pk)] = (rating, when)
    _users_ensure({user_id for user_id, _ in parsed}, user_pks, report)
    foreign = [pair for pair in parsed if user_pks[pair[0]] is None]
    for pair in foreign:
        del parsed[pair]
    report.ratings_skipped += len(foreign)
    _ratings_upsert(
        [
            (user_pks[user_id], movie_pk, rating, when)
            for (user_id, movie_pk), (rating, when) in parsed.items()
        ]
    )
    report.ratings += len(parsed)


def _mean():
    """rating_sum / rating_count, as a true division on every backend."""
    if connection.vendor == "sqlite":
        # SQLite stores a whole-number decimal as an integer: force a float division.
        return F("rating_sum") * Value(1.0) / F("rating_count")
    return F("rating_sum") / F("rating_count")


def _ratings_upsert(rows: list[tuple[int, int, Decimal, datetime.datetime]]) -> None:
    """INSERT ... ON CONFLICT (user, movie, type) DO UPDATE for imported ratings.

    The same statement bulk_create(update_conflicts=True) would issue, written directly: building
    and preparing 100,000 model instances was most of the import's time. Columns the import
    does not set get their model default, so a column added to Interaction later still works.
    """
    if not rows:
        return
    ops = connection.ops
    table = ops.quote_name(Interaction._meta.db_table)
    fields = [f for f in Interaction._meta.concrete_fields if not f.primary_key]
    varying = {"user": 0, "movie": 1, "rating": 2, "timestamp": 3}
    fixed = {
        f.name: f.get_db_prep_save(
            {"interaction_type": InteractionType.RATING, "source": InteractionSource.IMPORT}.get(
                f.name, f.get_default()
            ),
            connection,
        )
        for f in fields
        if f.name not in varying
    }
    columns = ", ".join(ops.quote_name(f.column) for f in fields)
    unique = ", ".join(
        ops.quote_name(Interaction._meta.get_field(name).column)
        for name in ("user", "movie", "interaction_type")
    )
    updates = ", ".join(
        f"{ops.quote_name(c)} = excluded.{ops.quote_name(c)}"
        for c in ("rating", "source", "timestamp")
    )
    # Rows whose values are already stored are left alone: a re-import writes nothing.
    distinct = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
    changed = " OR ".join(
        f"{table}.{ops.quote_name(c)} {distinct} excluded.{ops.quote_name(c)}"
        for c in ("rating", "source", "timestamp")
    )
    conflict = f"ON CONFLICT ({unique}) DO UPDATE SET {updates} WHERE {changed}"
    if connection.vendor == "postgresql":
        _ratings_upsert_unnest(rows, table, columns, fields, varying, fixed, conflict)
        return
    row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
    for chunk in _batches(iter(rows), 500):
        params: list = []
        for user_pk, movie_pk, rating, when in chunk:
            values = (
                user_pk,
                movie_pk,
                ops.adapt_decimalfield_value(rating, 2, 1),
                ops.adapt_datetimefield_value(when),
            )
            params += [
                values[varying[f.name]] if f.name in varying else fixed[f.name] for f in fields
            ]
        values_sql = ", ".join([row_sql] * len(chunk))
        sql = f"INSERT INTO {table} ({columns}) VALUES {values_sql} {conflict}"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def _ratings_upsert_unnest(rows, table, columns, fields, varying, fixed, conflict) -> None:
    """PostgreSQL: one statement per batch with four array parameters instead of 30,000."""
    arrays = list(zip(*rows, strict=True))
    names = ("user_id", "movie_id", "rating", "ts")
    select = ", ".join(f"u.{names[varying[f.name]]}" if f.name in varying else "%s" for f in fields)
    sql = (
        f"INSERT INTO {table} ({columns}) SELECT {select} "  # noqa: S608
        "FROM unnest(%s::bigint[], %s::bigint[], %s::numeric[], %s::timestamptz[]) "
        f"AS u(user_id, movie_id, rating, ts) {conflict}"
    )
    params = [fixed[f.name] for f in fields if f.name not in varying] + [
        list(arrays[0]),
        list(arrays[1]),
        list(arrays[2]),
        list(arrays[3]),
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _movie_ratings_recompute() -> list[int]:
    """Recompute rating_count, rating_sum and our_rating of MovieLens movies in two UPDATEs.

    Returns the ids of the movies whose aggregates changed (for cache invalidation).
    """
    ratings = Interaction.objects.filter(
        movie=OuterRef("pk"), interaction_type=InteractionType.RATING, rating__isnull=False
    ).order_by()
    count = Subquery(ratings.values("movie").annotate(n=Count("pk")).values("n"))
    total = Subquery(ratings.values("movie").annotate(s=Sum("rating")).values("s"))
    movies = Movie.objects.filter(movielens_id__isnull=False)
    before = dict(movies.values_list("pk", "rating_count"))
    before_sum = dict(movies.values_list("pk", "rating_sum"))
    decimal = DecimalField(max_digits=12, decimal_places=1)
    with transaction.atomic():
        movies.update(
            rating_count=Coalesce(count, Value(0)),
            rating_sum=Cast(Coalesce(total, Value(Decimal(0))), decimal),
        )
        movies.update(
            our_rating=Case(
                When(
                    rating_count__gt=0,
                    then=Cast(Round(_mean(), 1), DecimalField(max_digits=3, decimal_places=1)),
                ),
                default=None,
            )
        )
    after = movies.values_list("pk", "rating_count", "rating_sum")
    return [
        pk
        for pk, rating_count, rating_sum in after
        if before.get(pk) != rating_count or before_sum.get(pk) != rating_sum
    ]
