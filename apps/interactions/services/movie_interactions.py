"""Writes of a user's interactions with a movie, and the movie aggregates they drive.

Concurrency: every write first locks the writing user's row (``SELECT ... FOR NO KEY
UPDATE``; SQLite's IMMEDIATE transactions serialise writers instead), then reads the movie
without a lock, reads and changes the user's rows and, when counted rows changed, appends a
note for the counters (services.counters), all in one short transaction. So one user's writes
run one at a time (a like and an unlike of one user racing both succeed, in some order, and a
like and a dislike can never both stand), while different users' writes, even to one hot
movie, never wait on each other: the movie's counters are set from the rows by a background
fold shortly after commit, not updated under the movie's row lock by every write. Each write
locks exactly one row, so no deadlock is possible between these services. The unique (user,
movie, type) constraint remains the last line of defence against duplicates.

Cost: these writes are most of what a logged-in user sends, so each one is a few plain SQL
statements rather than ORM queries (building those cost more CPU than the database spent on
them, issue 15): one locks the user and reads the movie's counters, one reads the user's rows
on the movie (both in one query, one round trip, on PostgreSQL), then one per row changed,
with the counters' note of a counted change in the same statement on PostgreSQL (``_Write``;
a statement of its own on SQLite); the answer is built from the rows read and changed,
without reading them again. Nothing reads the changes back in the write, so on PostgreSQL
they are held and sent with the COMMIT, in its round trip (apps.core.statements): a new like
is three round trips, ``BEGIN``, the reads, and the changes with ``COMMIT``. The statements
read the same on PostgreSQL and SQLite (where the user lock is left out: its IMMEDIATE
transactions serialise writers). On PostgreSQL a membership write (a like, a dislike, a
watchlist entry) is instead one call of a database function with the same statements
(``membership_add``; interactions migration 0007).
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import cache

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from apps.catalog.models import Movie
from apps.catalog.ratings import mean_rating
from apps.core.exceptions import NotFound
from apps.core.routers import primary_written
from apps.core.statements import execute_with_commit
from apps.interactions.models import Interaction, InteractionSource, InteractionType
from apps.interactions.selectors import interaction_state_of
from apps.interactions.services.counters import counters_fold_schedule, counters_note
from apps.interactions.services.effects import (
    ADDED,
    REMOVED,
    UPDATED,
    interaction_effects_on_commit,
)

# What the writes read of the movie (the counters answer the write).
AGGREGATE_FIELDS = (
    "id",
    "our_rating",
    "rating_count",
    "rating_sum",
    "view_count",
    "like_count",
    "dislike_count",
)

# One user's repeated views (or shares) of a movie within this window count once.
REPEAT_WINDOW = timedelta(minutes=30)

_COUNTERS = {InteractionType.LIKE: "like_count", InteractionType.DISLIKE: "dislike_count"}
_EXCLUDES = {
    InteractionType.LIKE: InteractionType.DISLIKE,
    InteractionType.DISLIKE: InteractionType.LIKE,
}
_ROW_COLUMNS = ("id", "interaction_type", "rating", "notes", "count", "timestamp")


@cache
def _movie_fields() -> tuple[str, ...]:
    # AGGREGATE_FIELDS in the model's order, as Model.from_db takes the values.
    return tuple(
        field.attname for field in Movie._meta.concrete_fields if field.attname in AGGREGATE_FIELDS
    )


_DECIMAL_FIELDS = {"our_rating", "rating_sum"}


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET = _Unset()


@dataclass(frozen=True)
class InteractionOutcome:
    """The movie as of the write (aggregates included), what changed, if anything, and the
    user's state on the movie after the write (selectors.interaction_state's shape)."""

    movie: Movie
    action: str | None
    state: dict

    @property
    def created(self) -> bool:
        return self.action == ADDED


@dataclass
class _Row:
    """One of the user's interaction rows on the movie, as read (and changed) by the write."""

    id: int | None
    rating: Decimal | None = None
    notes: str = ""
    count: int = 1
    timestamp: datetime | None = None


# Plain SQL ---------------------------------------------------------------------------------


@cache
def _statements(vendor: str) -> dict[str, str]:
    """The write path's statements for this database (names quoted once)."""
    quote = connection.ops.quote_name
    movies = quote(Movie._meta.db_table)
    users = quote(get_user_model()._meta.db_table)
    rows = quote(Interaction._meta.db_table)
    lock = " FOR NO KEY UPDATE OF u" if vendor == "postgresql" else ""
    movie_columns = ", ".join(f"m.{quote(name)}" for name in _movie_fields())
    row_columns = ", ".join(quote(name) for name in _ROW_COLUMNS)
    statements = {
        # The user's row locked (their other writes wait), the movie read unlocked.
        "begin": (
            f"SELECT {movie_columns} FROM {movies} m, {users} u "  # noqa: S608 - model names
            f"WHERE m.{quote('id')} = %s AND m.{quote('is_active')} AND u.{quote('id')} = %s"
            f"{lock}"
        ),
        "rows": (
            f"SELECT {row_columns} FROM {rows} "  # noqa: S608
            f"WHERE {quote('user_id')} = %s AND {quote('movie_id')} = %s"
        ),
        "insert": (
            f"INSERT INTO {rows} ({quote('user_id')}, {quote('movie_id')}, "  # noqa: S608
            f"{quote('interaction_type')}, {quote('rating')}, {quote('notes')}, "
            f"{quote('count')}, {quote('source')}, {quote('timestamp')}) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
        ),
        "delete": f"DELETE FROM {rows} WHERE {quote('id')} = %s",  # noqa: S608
        "update": f"UPDATE {rows} SET {{assignments}} WHERE {quote('id')} = %s",  # noqa: S608
    }
    # PostgreSQL: both in one query (``_write_begin``).
    statements["begin_and_rows"] = f"{statements['begin']}; {statements['rows']}"
    return statements


def _sql(name: str) -> str:
    return _statements(connection.vendor)[name]


def _decimal(value) -> Decimal | None:
    # PostgreSQL answers Decimal; SQLite a float (one decimal place, exact in repr).
    if value is None or isinstance(value, Decimal):
        return value
    return Decimal(str(value))


def _aware(value) -> datetime | None:
    # PostgreSQL answers an aware datetime; SQLite a naive one (UTC) or text.
    if value is None:
        return None
    moment = value if isinstance(value, datetime) else parse_datetime(str(value))
    return moment.replace(tzinfo=UTC) if timezone.is_naive(moment) else moment


def _movie_from(values) -> Movie:
    converted = [
        _decimal(value) if name in _DECIMAL_FIELDS else value
        for name, value in zip(_movie_fields(), values, strict=True)
    ]
    return Movie.from_db(connection.alias, _movie_fields(), converted)


def movie_for_write(*, user, movie_id: int) -> Movie:
    """Begin a write of ``user`` on a movie: lock the user's row for the rest of the
    transaction (their other writes wait, nobody else's do) and read the active movie with
    its counters as last folded, in one statement; NotFound otherwise. Call inside a
    transaction."""
    with connection.cursor() as cursor:
        cursor.execute(_sql("begin"), [movie_id, user.pk])
        return _movie_found(cursor.fetchone())


def _movie_found(found) -> Movie:
    if found is None:
        raise NotFound("Movie not found.", code="movie_not_found")
    return _movie_from(found)


def _write_begin(*, user, movie_id: int) -> tuple[Movie, dict[str, _Row]]:
    """``movie_for_write``, then the user's rows on the movie by type. Read after the lock,
    in a statement of its own, so that on PostgreSQL it sees every write of this user
    committed before the lock was granted (each statement of a READ COMMITTED transaction
    takes a new snapshot). There both statements go in one query, one round trip: the
    simple query protocol runs them in turn, and an error in the first stops the second."""
    if connection.vendor != "postgresql":
        movie = movie_for_write(user=user, movie_id=movie_id)
        found = _rows_read(user=user, movie_id=movie.pk)
    else:
        with connection.cursor() as cursor:
            cursor.execute(_sql("begin_and_rows"), [movie_id, user.pk, user.pk, movie_id])
            locked = cursor.fetchone()
            cursor.nextset()
            found = cursor.fetchall()
        movie = _movie_found(locked)
    return movie, _rows_by_type(found)


def _rows_by_type(found) -> dict[str, _Row]:
    """The user's rows on the movie by type, from (id, type, rating, notes, count, time)."""
    return {
        kind: _Row(
            id=row_id,
            rating=_decimal(rating),
            notes=notes,
            count=count,
            timestamp=_aware(moment),
        )
        for row_id, kind, rating, notes, count, moment in found
    }


def _rows_read(*, user, movie_id: int) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(_sql("rows"), [user.pk, movie_id])
        return cursor.fetchall()


def _insert(
    *, user, movie: Movie, interaction_type: str, row: _Row, source: str
) -> tuple[str, list]:
    ops = connection.ops
    rating = ops.adapt_decimalfield_value(row.rating, 2, 1) if row.rating is not None else None
    return _sql("insert"), [
        user.pk,
        movie.pk,
        interaction_type,
        rating,
        row.notes,
        row.count,
        source,
        ops.adapt_datetimefield_value(row.timestamp),
    ]


def _delete(row: _Row) -> tuple[str, list]:
    return _sql("delete"), [row.id]


def _update(row: _Row, fields: list[str]) -> tuple[str, list]:
    ops = connection.ops
    values = {
        "rating": lambda: (
            ops.adapt_decimalfield_value(row.rating, 2, 1) if row.rating is not None else None
        ),
        "notes": lambda: row.notes,
        "count": lambda: row.count,
        "timestamp": lambda: ops.adapt_datetimefield_value(row.timestamp),
    }
    assignments = ", ".join(f"{ops.quote_name(field)} = %s" for field in fields)
    return (
        _sql("update").format(assignments=assignments),
        [*(values[field]() for field in fields), row.id],
    )


# The writes --------------------------------------------------------------------------------


class _Write:
    """One write's changes: applied to the rows as read, counted once, answered from them.

    A row change is held back until the next statement of the write: on PostgreSQL the
    counters' note that follows a counted change goes in the same statement (a data-modifying
    WITH: one round trip for both), and anything else sends the held change first. Every
    write ends with ``outcome``, which sends what is still held.
    """

    def __init__(self, *, user, movie_id: int, source: str) -> None:
        self.user = user
        self.source = source
        self.movie, self.rows = _write_begin(user=user, movie_id=movie_id)
        self._held: tuple[str, list] | None = None

    def outcome(self, action: str | None) -> InteractionOutcome:
        self._send_held()
        return InteractionOutcome(
            movie=self.movie,
            action=action,
            state=interaction_state_of(movie=self.movie, rows=self.rows),
        )

    def _change(self, statement: tuple[str, list]) -> None:
        """A row change: held for the counters' note on PostgreSQL, sent at once elsewhere
        (SQLite's WITH takes no INSERT, UPDATE or DELETE)."""
        self._send_held()
        if connection.vendor == "postgresql":
            self._held = statement
        else:
            self._execute(statement)

    def _send_held(self) -> None:
        held, self._held = self._held, None
        if held is not None:
            self._execute(held)

    @staticmethod
    def _execute(statement: tuple[str, list]) -> None:
        # The write reads nothing back: its row changes go with the commit.
        execute_with_commit(*statement)

    def counters_changed(self, deltas: dict[str, int | Decimal]) -> None:
        """Note that the write changed the movie's counters by ``deltas`` (with the held row
        change, in one statement), and show the change on the movie (never below zero), so
        the answer includes it."""
        held, self._held = self._held, None
        counters_note(movie_id=self.movie.pk, changes=deltas, with_statement=held)
        for field, delta in deltas.items():
            setattr(self.movie, field, max(getattr(self.movie, field) + delta, 0))

    def effects(self, interaction_type: str, action: str, metadata: dict | None = None) -> None:
        # The receivers write in this transaction too: the row change goes first.
        self._send_held()
        # The movie's cached details are dropped by the counters' fold when counts changed.
        interaction_effects_on_commit(
            user_id=self.user.pk,
            movie_id=self.movie.pk,
            interaction_type=interaction_type,
            action=action,
            source=self.source,
            metadata=metadata,
        )

    def add(self, interaction_type: str, row: _Row) -> None:
        row.timestamp = row.timestamp or timezone.now()
        self._change(
            _insert(
                user=self.user,
                movie=self.movie,
                interaction_type=interaction_type,
                row=row,
                source=self.source,
            )
        )
        self.rows[interaction_type] = row

    def update(self, row: _Row, fields: list[str]) -> None:
        self._change(_update(row, fields))

    def remove(self, interaction_type: str) -> _Row | None:
        row = self.rows.pop(interaction_type, None)
        if row is not None:
            self._change(_delete(row))
        return row

    def counted_change(self, interaction_type: str, action: str, delta: int) -> None:
        """Move the movie's counter for this type by ``delta`` (if it has one), then queue
        the effects of the change."""
        counter = _COUNTERS.get(interaction_type)
        if counter:
            self.counters_changed({counter: delta})
        self.effects(interaction_type, action)

    def membership_remove(self, interaction_type: str) -> bool:
        """Delete the user's row of this type, if any, and its counter. True if one existed."""
        if self.remove(interaction_type) is None:
            return False
        self.counted_change(interaction_type, REMOVED, -1)
        return True


def membership_add(
    *,
    user,
    movie_id: int,
    interaction_type: str,
    source: str = InteractionSource.WEB,
) -> InteractionOutcome:
    """Mark a movie as watchlisted, liked or disliked (idempotent).

    Liking removes the user's dislike and disliking removes the like; the counters follow.
    On PostgreSQL one call of a database function does the write (``_membership_add_call``).
    """
    if connection.vendor == "postgresql":
        return _membership_add_call(
            user=user, movie_id=movie_id, interaction_type=interaction_type, source=source
        )
    return _membership_add_statements(
        user=user, movie_id=movie_id, interaction_type=interaction_type, source=source
    )


def _counter_deltas(interaction_type: str | None, delta: int) -> tuple[int, int]:
    """(likes, dislikes) moved by a change of ``delta`` rows of ``interaction_type``."""
    counter = _COUNTERS.get(interaction_type)
    return (
        delta if counter == "like_count" else 0,
        delta if counter == "dislike_count" else 0,
    )


def _membership_add_call(
    *, user, movie_id: int, interaction_type: str, source: str
) -> InteractionOutcome:
    """``membership_add`` on PostgreSQL: the statements of ``_membership_add_statements``, with
    ``interaction_changed_in_database`` (the database side of the signal, which the
    recommendations app fills in) for each row changed, in one database function (interactions
    migration 0007), called in one round trip, on its own (so in its own transaction) or in the
    caller's transaction.

    Why: a new like through the stack was three round trips (``BEGIN``, the reads, the changes
    with ``COMMIT``) of six statements that PostgreSQL parsed and planned each time, since
    PgBouncer's transaction pooling rules out prepared statements. As one call whose
    statements the function keeps planned, a new like through ``make stack`` at seed 002's
    volumes cost 4.63 ms of the machine's CPU instead of 5.71, and a skewed one 4.55 instead
    of 5.62 (medians of three alternated pairs; issue 16, docs/stack-history.md).

    The after-commit work is the Python path's: the ``interaction_changed`` signal for each row
    changed (``applied_in_database``: the function ran the receivers' database side) and the
    counters' fold, registered in a transaction that sends no statement of its own, so that
    they run together when it ends, the cache drops in one round trip."""
    excluded = _EXCLUDES.get(interaction_type)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT * FROM interaction_membership_add(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [
                user.pk,
                movie_id,
                interaction_type,
                excluded,
                source,
                timezone.now(),
                *_counter_deltas(interaction_type, 1),
                *_counter_deltas(excluded, -1),
            ],
        )
        found = cursor.fetchall()
    if not found:
        raise NotFound("Movie not found.", code="movie_not_found")
    added, excluded_removed = found[0][7], found[0][8]
    if added or excluded_removed:
        primary_written()  # read-your-writes: the router cannot tell this SELECT wrote
    # interaction_membership_add answers the movie's AGGREGATE_FIELDS first, in that order.
    answered = dict(zip(AGGREGATE_FIELDS, found[0][: len(AGGREGATE_FIELDS)], strict=True))
    movie = _movie_from([answered[name] for name in _movie_fields()])
    rows = _rows_by_type(answer[-len(_ROW_COLUMNS) :] for answer in found)
    changes = [(excluded, REMOVED, -1)] if excluded_removed else []
    if added:
        changes.append((interaction_type, ADDED, 1))
    with transaction.atomic(savepoint=False):
        for changed_type, action, delta in changes:
            counter = _COUNTERS.get(changed_type)
            if counter:
                setattr(movie, counter, max(getattr(movie, counter) + delta, 0))
                transaction.on_commit(counters_fold_schedule, robust=True)
            interaction_effects_on_commit(
                user_id=user.pk,
                movie_id=movie.pk,
                interaction_type=changed_type,
                action=action,
                source=source,
                applied_in_database=True,
            )
    return InteractionOutcome(
        movie=movie,
        action=ADDED if added else None,
        state=interaction_state_of(movie=movie, rows=rows),
    )


@transaction.atomic
def _membership_add_statements(
    *, user, movie_id: int, interaction_type: str, source: str
) -> InteractionOutcome:
    """``membership_add`` with the write's statements sent from here (module doc)."""
    write = _Write(user=user, movie_id=movie_id, source=source)
    excluded = _EXCLUDES.get(interaction_type)
    if excluded:
        write.membership_remove(excluded)
    if interaction_type in write.rows:
        return write.outcome(None)
    write.add(interaction_type, _Row(id=None))
    write.counted_change(interaction_type, ADDED, 1)
    return write.outcome(ADDED)


@transaction.atomic
def membership_remove(
    *,
    user,
    movie_id: int,
    interaction_type: str,
    source: str = InteractionSource.WEB,
) -> InteractionOutcome:
    """Remove a favorite, watchlist entry, like or dislike; removing nothing is not an error."""
    write = _Write(user=user, movie_id=movie_id, source=source)
    removed = write.membership_remove(interaction_type)
    return write.outcome(REMOVED if removed else None)


def watchlist_add(*, user, movie_id: int, **options) -> InteractionOutcome:
    return membership_add(
        user=user, movie_id=movie_id, interaction_type=InteractionType.WATCHLIST, **options
    )


def like_add(*, user, movie_id: int, **options) -> InteractionOutcome:
    return membership_add(
        user=user, movie_id=movie_id, interaction_type=InteractionType.LIKE, **options
    )


def dislike_add(*, user, movie_id: int, **options) -> InteractionOutcome:
    return membership_add(
        user=user, movie_id=movie_id, interaction_type=InteractionType.DISLIKE, **options
    )


@transaction.atomic
def favorite_add(
    *,
    user,
    movie_id: int,
    notes: str | _Unset = UNSET,
    user_rating: Decimal | _Unset | None = UNSET,
    source: str = InteractionSource.WEB,
) -> InteractionOutcome:
    """Favorite a movie with optional notes and the user's own rating of it (idempotent).

    On an existing favorite, the fields given replace the stored ones and the others stay.
    The favorite's rating is the user's note to self; the public average counts rating rows.
    """
    write = _Write(user=user, movie_id=movie_id, source=source)
    row = write.rows.get(InteractionType.FAVORITE)
    changes = {}
    if not isinstance(notes, _Unset):
        changes["notes"] = notes
    if not isinstance(user_rating, _Unset):
        changes["rating"] = user_rating
    if row is None:
        write.add(InteractionType.FAVORITE, _Row(id=None, **changes))
        action = ADDED
    else:
        changes = {field: value for field, value in changes.items() if getattr(row, field) != value}
        if not changes:
            return write.outcome(None)
        for field, value in changes.items():
            setattr(row, field, value)
        row.timestamp = timezone.now()
        write.update(row, [*changes, "timestamp"])
        action = UPDATED
    write.effects(InteractionType.FAVORITE, action)
    return write.outcome(action)


def _rating_aggregates_apply(write: _Write, *, count_delta: int, sum_delta: Decimal) -> None:
    write.counters_changed({"rating_count": count_delta, "rating_sum": sum_delta})
    write.movie.our_rating = mean_rating(write.movie.rating_sum, write.movie.rating_count)


@transaction.atomic
def rating_set(
    *,
    user,
    movie_id: int,
    value: Decimal,
    source: str = InteractionSource.WEB,
) -> InteractionOutcome:
    """Set or change the user's rating (0.5 to 5.0 in half steps) and the movie's average."""
    write = _Write(user=user, movie_id=movie_id, source=source)
    row = write.rows.get(InteractionType.RATING)
    if row is None:
        write.add(InteractionType.RATING, _Row(id=None, rating=value))
        _rating_aggregates_apply(write, count_delta=1, sum_delta=value)
        action = ADDED
    elif row.rating == value:
        return write.outcome(None)
    else:
        previous = row.rating or Decimal(0)
        row.rating = value
        row.timestamp = timezone.now()
        write.update(row, ["rating", "timestamp"])
        _rating_aggregates_apply(write, count_delta=0, sum_delta=value - previous)
        action = UPDATED
    # analytics: the day's average rating per movie
    write.effects(InteractionType.RATING, action, metadata={"rating": str(value)})
    return write.outcome(action)


@transaction.atomic
def rating_remove(
    *, user, movie_id: int, source: str = InteractionSource.WEB
) -> InteractionOutcome:
    """Remove the user's rating, if any, and take it out of the movie's average."""
    write = _Write(user=user, movie_id=movie_id, source=source)
    row = write.remove(InteractionType.RATING)
    if row is None:
        return write.outcome(None)
    _rating_aggregates_apply(write, count_delta=-1, sum_delta=-(row.rating or Decimal(0)))
    write.effects(InteractionType.RATING, REMOVED)
    return write.outcome(REMOVED)


def _repeat_record(
    *, user, movie_id: int, interaction_type: str, counter: str | None, source: str
) -> InteractionOutcome:
    write = _Write(user=user, movie_id=movie_id, source=source)
    row = write.rows.get(interaction_type)
    now = timezone.now()
    if row is None:
        write.add(interaction_type, _Row(id=None, timestamp=now))
        action = ADDED
    elif now - row.timestamp >= REPEAT_WINDOW:
        row.count += 1
        row.timestamp = now
        write.update(row, ["count", "timestamp"])
        action = UPDATED
    else:
        return write.outcome(None)
    if counter:
        write.counters_changed({counter: 1})
    write.effects(interaction_type, action)
    return write.outcome(action)


@transaction.atomic
def view_record(*, user, movie_id: int, source: str = InteractionSource.WEB) -> InteractionOutcome:
    """Count a view; one user's views within REPEAT_WINDOW of the last counted one count once."""
    return _repeat_record(
        user=user,
        movie_id=movie_id,
        interaction_type=InteractionType.VIEW,
        counter="view_count",
        source=source,
    )


@transaction.atomic
def share_record(*, user, movie_id: int, source: str = InteractionSource.WEB) -> InteractionOutcome:
    """Record a share; a retried or repeated share within REPEAT_WINDOW counts once."""
    return _repeat_record(
        user=user,
        movie_id=movie_id,
        interaction_type=InteractionType.SHARE,
        counter=None,
        source=source,
    )
