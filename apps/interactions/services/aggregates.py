"""Movie aggregates (likes, dislikes, views, ratings): the one implementation of their writes.

Two ways in, both under the movies' row locks, taken in id order (the one order every
multi-movie writer here uses, so two of them cannot deadlock, and a single-movie writer waits
its turn):

- ``movie_counters_fold``: the write services' changes, as noted (``MovieCounterChange``: what
  each committed write changed), added to the movies' counters. Costs the notes, not the
  rows. When the fold counted each touched movie again from its rows, at seed 002's volumes
  that took 55 to 129 ms for 100 movies drawn at random (12,000 rows) and 8.8 to 9.3 s for
  the 100 with the most rows (2.7 million): the popular movies, which most writes touch, made
  every fold that touched them that slow (issue 16, docs/stack-history.md, "seventh session").
- ``movie_aggregates_recompute``: counted again from the rows, for rows that changed behind
  the services' back (a user deleted and their rows cascaded away, a bulk import: the
  MovieLens importer calls ``movie_aggregates_recount``, as ``recount_interactions`` does, an
  editor's repair), and for notes that ask for it (``recount``).

Why both stay right together: for each movie, its counters plus the changes of its notes not
yet folded equal what its rows say. A write adds its rows and its note in one transaction; a
fold takes notes and adds their changes in one transaction; a recount sets the counters from
the rows and drops the notes in one snapshot (PostgreSQL: one statement; SQLite: its writers
run one at a time), so the notes it drops are exactly the writes its count includes. Only the
holder of a movie's lock takes its notes. Only movies whose aggregates really changed are
written, so a recount of consistent data writes nothing.
"""

from collections.abc import Callable, Iterable
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, Q, Sum

from apps.catalog.models import Movie
from apps.catalog.ratings import mean_rating
from apps.interactions.models import Interaction, InteractionType, MovieCounterChange

BATCH = 500
WRITE_ROWS = 100  # VALUES rows per UPDATE: 700 parameters, under SQLite's old limit of 999
IDS_PER_STATEMENT = 900  # ids bound in one IN (...), under the same limit
# Notes taken per fold transaction: after a long worker outage a hot movie can have hundreds
# of thousands, and a fold must commit its progress within its task's time limit.
NOTES_PER_FOLD = 20_000
AGGREGATE_FIELDS = [
    "like_count",
    "dislike_count",
    "view_count",
    "rating_count",
    "rating_sum",
    "our_rating",
]
# What a note changes (our_rating follows from rating_sum and rating_count).
COUNTED_FIELDS = AGGREGATE_FIELDS[:-1]


def _movies_locked(movie_ids: list[int]) -> list[Movie]:
    return list(
        Movie.objects.select_for_update(no_key=True)
        .filter(pk__in=movie_ids)
        .order_by("pk")
        .only("pk", *AGGREGATE_FIELDS)
    )


def _changed(movie: Movie, counts: dict) -> bool:
    """Set the movie's aggregates to ``counts`` (our_rating follows); True if any changed."""
    wanted = {name: counts[name] for name in COUNTED_FIELDS}
    wanted["our_rating"] = mean_rating(wanted["rating_sum"], wanted["rating_count"])
    if all(getattr(movie, name) == value for name, value in wanted.items()):
        return False
    for name, value in wanted.items():
        setattr(movie, name, value)
    return True


def _rows_counted(movie_ids: list[int]) -> dict[int, dict]:
    """The movies' aggregates as their rows say, with their notes dropped in the same
    snapshot (see the module's docstring). Call with the movies locked."""
    query = (
        Interaction.objects.filter(movie_id__in=movie_ids)
        .values("movie_id")
        .annotate(
            like_count=Count("id", filter=Q(interaction_type=InteractionType.LIKE)),
            dislike_count=Count("id", filter=Q(interaction_type=InteractionType.DISLIKE)),
            view_count=Sum("count", filter=Q(interaction_type=InteractionType.VIEW)),
            rating_count=Count(
                "id", filter=Q(interaction_type=InteractionType.RATING, rating__isnull=False)
            ),
            rating_sum=Sum("rating", filter=Q(interaction_type=InteractionType.RATING)),
        )
    )
    if connection.vendor != "postgresql":
        # SQLite: this transaction holds the only write lock, so no write commits in between.
        MovieCounterChange.objects.filter(movie_id__in=movie_ids).delete()
        return {row["movie_id"]: row for row in query}
    # PostgreSQL: a data-modifying WITH runs in the statement's snapshot, whether or not the
    # statement reads it, so the notes dropped are those of the rows counted.
    sql, params = query.query.sql_with_params()
    notes = connection.ops.quote_name(MovieCounterChange._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH taken AS (DELETE FROM {notes} WHERE movie_id = ANY(%s)) {sql}",  # noqa: S608
            [list(movie_ids), *params],
        )
        names = [column.name for column in cursor.description]
        return {row[0]: dict(zip(names, row, strict=True)) for row in cursor.fetchall()}


def _counts(row: dict) -> dict:
    return {
        "like_count": int(row.get("like_count") or 0),
        "dislike_count": int(row.get("dislike_count") or 0),
        "view_count": int(row.get("view_count") or 0),
        "rating_count": int(row.get("rating_count") or 0),
        "rating_sum": Decimal(str(row.get("rating_sum") or 0)),
    }


def _recount(movies: list[Movie]) -> list[Movie]:
    """Set the locked movies' aggregates from their rows; returns those that changed."""
    if not movies:
        return []
    totals = _rows_counted([movie.pk for movie in movies])
    return [movie for movie in movies if _changed(movie, _counts(totals.get(movie.pk, {})))]


def _movies_write(movies: list[Movie]) -> None:
    """UPDATE ... FROM (VALUES ...): one statement per batch on PostgreSQL and SQLite (3.33+).

    bulk_update's CASE WHEN per field and row cost Django more than the whole MovieLens import
    (measured: 58 of 61 s of a first import's recount on SQLite); VALUES rows cost nothing to
    build. The VALUES columns are column1..n on both databases; the casts type a column whose
    values are all NULL.
    """
    if not movies:
        return
    ops = connection.ops
    table = ops.quote_name(Movie._meta.db_table)
    columns = [Movie._meta.get_field(name).column for name in AGGREGATE_FIELDS]
    numeric = "numeric" if connection.vendor == "postgresql" else "real"
    casts = ["bigint", "bigint", "bigint", "bigint", numeric, numeric]
    assignments = ", ".join(
        f"{ops.quote_name(column)} = CAST(v.column{i + 2} AS {cast})"
        for i, (column, cast) in enumerate(zip(columns, casts, strict=True))
    )
    row = "(" + ", ".join(["%s"] * (len(AGGREGATE_FIELDS) + 1)) + ")"
    for start in range(0, len(movies), WRITE_ROWS):
        chunk = movies[start : start + WRITE_ROWS]
        params: list = []
        for movie in chunk:
            params.append(movie.pk)
            params.extend(
                ops.adapt_decimalfield_value(value, 12, 1) if isinstance(value, Decimal) else value
                for value in (getattr(movie, name) for name in AGGREGATE_FIELDS)
            )
        values = ", ".join([row] * len(chunk))
        sql = (
            f"UPDATE {table} SET {assignments} "  # noqa: S608 - names from the model, values bound
            f"FROM (VALUES {values}) AS v WHERE {table}.{ops.quote_name('id')} = v.column1"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


@transaction.atomic
def movie_aggregates_recompute(*, movie_ids: Iterable[int]) -> list[int]:
    """Set the movies' likes, dislikes, views and rating aggregates from their rows (dropping
    their notes), in one transaction; returns the ids of the movies whose aggregates changed."""
    ordered = sorted(set(movie_ids))
    changed: list[int] = []
    for start in range(0, len(ordered), BATCH):
        movies = _recount(_movies_locked(ordered[start : start + BATCH]))
        _movies_write(movies)
        changed += [movie.pk for movie in movies]
    return changed


@transaction.atomic
def movie_counters_fold(*, movie_ids: Iterable[int]) -> list[int]:
    """Add the noted changes of these movies (every note of theirs committed so far) to their
    counters, counting a movie again from its rows where a note asks for it, in one
    transaction; returns the ids of the movies whose aggregates changed."""
    ordered = sorted(set(movie_ids))
    changed: list[int] = []
    for start in range(0, len(ordered), BATCH):
        batch = ordered[start : start + BATCH]
        movies = _movies_locked(batch)
        gone = set(batch) - {movie.pk for movie in movies}
        if gone:  # deleted since: their notes fold into nothing (their rows went with them)
            MovieCounterChange.objects.filter(movie_id__in=gone).delete()
        written = _notes_fold(movies)
        _movies_write(written)
        changed += [movie.pk for movie in written]
    return changed


def _notes_fold(movies: list[Movie]) -> list[Movie]:
    """Take the locked movies' oldest notes (at most NOTES_PER_FOLD; the rest wait for the
    next fold) and apply them; returns the movies that changed."""
    notes = list(
        MovieCounterChange.objects.filter(movie_id__in=[movie.pk for movie in movies])
        .order_by("id")
        .values_list("id", "movie_id", "recount", *COUNTED_FIELDS)[:NOTES_PER_FOLD]
    )
    recounted = {movie_id for _, movie_id, recount, *_ in notes if recount}
    sums: dict[int, dict] = {}
    taken = []
    for note, movie_id, _, *changes in notes:
        if movie_id in recounted:
            continue  # dropped with the recount, in its snapshot
        taken.append(note)
        total = sums.setdefault(movie_id, dict.fromkeys(COUNTED_FIELDS, 0))
        for name, change in zip(COUNTED_FIELDS, changes, strict=True):
            total[name] += change
    for first in range(0, len(taken), IDS_PER_STATEMENT):
        MovieCounterChange.objects.filter(id__in=taken[first : first + IDS_PER_STATEMENT]).delete()
    written = _recount([movie for movie in movies if movie.pk in recounted])
    for movie in movies:
        if movie.pk not in sums:
            continue
        # Never below zero, should a counter ever have drifted from its rows.
        counts = {
            name: max(getattr(movie, name) + sums[movie.pk][name], 0) for name in COUNTED_FIELDS
        }
        counts["rating_sum"] = Decimal(str(counts["rating_sum"]))
        if _changed(movie, counts):
            written.append(movie)
    return written


def movie_aggregates_recount(
    *, movie_ids: Iterable[int], progress: Callable[[int, int], None] | None = None
) -> list[int]:
    """``movie_aggregates_recompute`` for many movies, BATCH movies per transaction (a recount
    of the whole catalog never holds every movie's lock at once); ``progress(done, total)``
    after each batch. Returns the ids whose aggregates changed: the callers drop those
    movies' cached details (an importer can skip the movies it has just created)."""
    ordered = sorted(set(movie_ids))
    changed: list[int] = []
    for start in range(0, len(ordered), BATCH):
        changed += movie_aggregates_recompute(movie_ids=ordered[start : start + BATCH])
        if progress is not None:
            progress(min(start + BATCH, len(ordered)), len(ordered))
    return changed
