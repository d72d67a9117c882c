"""Storing computed lists as ``user_recommendations`` rows: one user, or a batch at once.

Every user's rows are replaced under the user's store lock (``store_locks_take``), so an older
computation never overwrites a newer one and a dismissal committed meanwhile is honoured. A
training batch does it for many users in one transaction: the same reads and writes as for one
user, each as a few statements for the whole batch, and on PostgreSQL the new rows travel by
COPY.

The store lock is a transaction-level advisory lock of the user on PostgreSQL, not the user's
``recommendation_states`` row, which every like, rating and watchlist change updates (its
change counter). Held on that row, a drain's store made those writes wait for it: the store's
transaction lasts as long as its statements and the worker's Python between them, and the
worker runs at a lower priority than the servers. Under load through the stack, likes waited
on it for up to 133 ms (a transaction lock in ``pg_stat_activity``), and most of the slowest
likes had overlapped a store (issue 16). Only stores and dismissals need ordering against
each other, so only they take the lock; the state row is updated with the store's commit
(apps.core.statements), for as long as that query runs. A write that takes the user's rows of
lists and state row both (an interaction write's hide and bump, apps.recommendations.receivers)
takes them in the store's order: the rows, then the state row.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, OperationalError, connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from apps.core.cache import namespace_invalidate
from apps.core.postgresql.arrays import array_literal
from apps.core.statements import execute_with_commit
from apps.recommendations.models import (
    DismissedMovie,
    RecommendationFeedback,
    RecommendationImpression,
    RecommendationReason,
    RecommendationState,
    UserRecommendation,
)
from apps.recommendations.reasons import Scored

logger = logging.getLogger(__name__)

UPSERT_CHUNK = 100  # rows per SQLite statement: 900 parameters, under every build's limit
IDS_CHUNK = 900  # ids per IN (...) list, for the same reason
COPY_THRESHOLD = 2000  # rows from which PostgreSQL gets them by COPY rather than VALUES
UPDATED_COLUMNS = ("score", "rank", "reason_id", "arm_id", "generated_at")


IMPRESSION_BUCKETS = 16  # counter rows per day, engine and arm (by user id): less waiting


def impressions_add(
    *, day, engine: str, experiment: str, arm: str, bucket: int, count: int, requests: int = 1
) -> None:
    """Add ``count`` impressions and ``requests`` requests to a counter row, created at first
    use.

    One INSERT ... ON CONFLICT DO UPDATE with the increment in SQL: concurrent requests add
    up, none is lost (PostgreSQL and SQLite alike).
    """
    table = connection.ops.quote_name(RecommendationImpression._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (day, engine, experiment, arm, bucket, impressions, requests) "  # noqa: S608
            "VALUES (%s, %s, %s, %s, %s, %s, %s) "
            "ON CONFLICT (day, engine, experiment, arm, bucket) DO UPDATE SET "
            f"impressions = {table}.impressions + EXCLUDED.impressions, "
            f"requests = {table}.requests + EXCLUDED.requests",
            [
                connection.ops.adapt_datefield_value(day),
                engine,
                experiment,
                arm,
                bucket,
                count,
                requests,
            ],
        )


class ImpressionTally:
    """This process's impressions not yet added to the counter rows.

    Serving a list used to write its counter row in the request (one INSERT ... ON CONFLICT
    and a commit per read). Now each read adds to a tally here, and the first read that finds
    ``RECOMMENDATION_IMPRESSIONS_FLUSH_SECONDS`` passed since the last flush writes the whole
    tally (one row per day, engine, experiment, arm and bucket, in one transaction). What a
    process has tallied and not flushed when it stops (at most that many seconds of its reads)
    is not counted; a failed flush keeps its counts for the next. 0 flushes on every read.
    """

    def __init__(self) -> None:
        self._counts: dict[tuple, list[int]] = {}
        self._flushed_at = float("-inf")
        self._lock = threading.Lock()

    def add(self, key: tuple, count: int) -> None:
        """Tally ``count`` impressions of one request under ``key`` (day, engine, experiment,
        arm, bucket); flush if due."""
        now = time.monotonic()
        with self._lock:
            entry = self._counts.setdefault(key, [0, 0])
            entry[0] += count
            entry[1] += 1
            if now - self._flushed_at < settings.RECOMMENDATION_IMPRESSIONS_FLUSH_SECONDS:
                return
            taken, self._counts, self._flushed_at = self._counts, {}, now
        try:
            # All or nothing, so a failed flush can put every count back; one row needs no
            # transaction of its own.
            with transaction.atomic() if len(taken) > 1 else contextlib.nullcontext():
                for (day, engine, experiment, arm, bucket), (impressions, requests) in sorted(
                    taken.items()
                ):
                    impressions_add(
                        day=day,
                        engine=engine,
                        experiment=experiment,
                        arm=arm,
                        bucket=bucket,
                        count=impressions,
                        requests=requests,
                    )
        except DatabaseError:
            with self._lock:
                for key_, (impressions, requests) in taken.items():
                    entry = self._counts.setdefault(key_, [0, 0])
                    entry[0] += impressions
                    entry[1] += requests
            raise

    def clear(self) -> None:
        with self._lock:
            self._counts.clear()
            self._flushed_at = float("-inf")


impression_tally = ImpressionTally()


def user_namespace(user_id: int) -> str:
    return f"user_recs:{user_id}"


@dataclass(frozen=True)
class ListsToStore:
    """One user's computed lists and the change counter their history was read at."""

    user_id: int
    lists: dict[str, list[Scored]]
    seen_count: int
    arm_id: int | None = None  # the experiment arm that decided these lists


def recommendations_store(
    *,
    user_id: int,
    lists: dict[str, list[Scored]],
    seen_count: int,
    arm_id: int | None = None,
) -> bool:
    """Replace the user's current lists with ``lists`` atomically.

    Rows that leave the lists are deleted, except those with a click or feedback, which are
    kept out of the lists (rank null) so that history is not lost. ``seen_count`` is the change
    counter the lists were computed at; an older computation never overwrites a newer one.
    """
    stored = recommendations_store_many(
        batch=[ListsToStore(user_id=user_id, lists=lists, seen_count=seen_count, arm_id=arm_id)]
    )
    return user_id in stored


def recommendations_store_many(*, batch: Sequence[ListsToStore]) -> set[int]:
    """``recommendations_store`` for every user of ``batch``, in one transaction.

    Returns the users whose lists were stored (not those a newer refresh already stored).
    """
    if not batch:
        return set()
    by_user = {entry.user_id: entry for entry in batch}
    now = timezone.now()
    with transaction.atomic():
        store_locks_take(by_user)
        states = RecommendationState.objects.filter(user_id__in=sorted(by_user)).values_list(
            "user_id", "refreshed_at", "refreshed_count"
        )
        stored = sorted(
            user_id
            for user_id, refreshed_at, refreshed_count in states
            if refreshed_at is None or refreshed_count <= by_user[user_id].seen_count
        )
        if not stored:
            return set()
        # A dismissal committed while these lists were computed is honoured all the same.
        dismissed: dict[int, set[int]] = defaultdict(set)
        for user_id, movie_id in DismissedMovie.objects.filter(user_id__in=stored).values_list(
            "user_id", "movie_id"
        ):
            dismissed[user_id].add(movie_id)
        reason_ids = reasons_store(
            {
                scored.reason[:200]
                for user_id in stored
                for ranked in by_user[user_id].lists.values()
                for scored in ranked
            }
        )
        rows = [
            (
                user_id,
                scored.movie_id,
                name,
                scored.score,
                rank,
                reason_ids[scored.reason[:200]],
                by_user[user_id].arm_id,
            )
            for user_id in stored
            for name, ranked in by_user[user_id].lists.items()
            for rank, scored in enumerate(
                (s for s in ranked if s.movie_id not in dismissed[user_id]), start=1
            )
        ]
        _rows_retire(stored, wanted={(row[0], row[1], row[2]) for row in rows})
        _rows_upsert(rows, generated_at=now)
        _states_refreshed({user_id: by_user[user_id].seen_count for user_id in stored}, now)
        transaction.on_commit(lambda: _namespaces_invalidate(stored))
    return set(stored)


# The first key of the store locks (``store_locks_take``); the second is the user's id.
STORE_LOCK_CLASS = 0x52454353


def store_locks_take(user_ids) -> None:
    """Take the store lock of each of ``user_ids`` until the transaction ends (module doc):
    stores of a user's lists and the user's dismissals wait for each other, nothing else
    waits for them. Taken in key order, as every caller takes them, so two batches cannot
    deadlock. A key is the id's low 31 bits: two users whose ids share them (from id 2**31)
    share a lock, which orders more, never less. PostgreSQL only: SQLite runs one writing
    transaction at a time."""
    if connection.vendor != "postgresql" or not user_ids:
        return
    with connection.cursor() as cursor:
        # The subquery's order is the order the locks are taken in (PostgreSQL's documented
        # way to take advisory locks in a chosen order).
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, keys.key) FROM (SELECT DISTINCT "
            "(id & 2147483647)::integer AS key FROM unnest(%s::bigint[]) AS id ORDER BY 1) "
            "AS keys",
            [STORE_LOCK_CLASS, array_literal(sorted(user_ids))],
        )


def _states_refreshed(seen_counts: dict[int, int], moment) -> None:
    """Record that each user's lists were computed at their change counter and stored at
    ``moment``: one statement on PostgreSQL (a drain's 20 users had 12 to 15 different
    counters, each an UPDATE of its own), sent with the commit so that the state rows, which
    every interaction change updates, are held for no longer than that (module doc); one
    statement per counter elsewhere."""
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(RecommendationState._meta.db_table)
        execute_with_commit(
            f"UPDATE {table} AS s SET refreshed_count = v.seen, refreshed_at = %s "  # noqa: S608
            "FROM unnest(%s::bigint[], %s::bigint[]) AS v(user_id, seen) "
            "WHERE s.user_id = v.user_id",
            [moment, array_literal(seen_counts), array_literal(seen_counts.values())],
        )
        return
    by_count: dict[int, list[int]] = defaultdict(list)
    for user_id, seen_count in seen_counts.items():
        by_count[seen_count].append(user_id)
    for seen_count, user_ids in by_count.items():
        RecommendationState.objects.filter(user_id__in=user_ids).update(
            refreshed_count=seen_count, refreshed_at=moment
        )


class BatchWriter:
    """Stores training batches, on PostgreSQL while the next batch is being computed.

    There a single background thread with its own connection stores batch n (the database
    does the work) while the caller computes batch n + 1 (Python does), so the two costs
    overlap on two cores instead of adding up. Inside a transaction (tests) or on SQLite,
    batches are stored inline: another connection could not see the caller's uncommitted
    rows. A batch that fails on a lock is stored user by user; other errors reach the caller
    at the next ``submit`` or at ``close``.
    """

    def __init__(self) -> None:
        self._pending: Future | None = None
        self._executor: ThreadPoolExecutor | None = None
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="recs-store")

    def __enter__(self) -> BatchWriter:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def submit(self, batch: list[ListsToStore]) -> None:
        if self._executor is None:
            batch_store(batch)
            return
        self._wait()
        self._pending = self._executor.submit(batch_store, batch)

    def close(self) -> None:
        if self._executor is None:
            return
        try:
            self._wait()
        finally:
            # The thread's connection is its own: close it in the thread that opened it.
            self._executor.submit(lambda: connection.close()).result()
            self._executor.shutdown()
            self._executor = None

    def _wait(self) -> None:
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()


def batch_store(batch: list[ListsToStore]) -> None:
    """Store a training batch in one transaction; if that fails on a lock (a deadlock with a
    user's own refresh or dismissal, say), store its users one by one instead."""
    try:
        recommendations_store_many(batch=batch)
    except OperationalError as exc:
        logger.warning("recommendations_batch_store_retried", extra={"error": str(exc)})
        for entry in batch:
            recommendations_store(
                user_id=entry.user_id,
                lists=entry.lists,
                seen_count=entry.seen_count,
                arm_id=entry.arm_id,
            )


def _namespaces_invalidate(user_ids: list[int]) -> None:
    for user_id in user_ids:
        namespace_invalidate(user_namespace(user_id))


def reasons_store(texts: set[str]) -> dict[str, int]:
    """The id of each reason text, creating the texts not stored yet (two or three queries
    per 900 texts; a text another process creates meanwhile is simply read back)."""
    ids: dict[str, int] = {}
    ordered = sorted(texts)
    for start in range(0, len(ordered), IDS_CHUNK):
        chunk = ordered[start : start + IDS_CHUNK]
        ids.update(_reason_ids(chunk))
        missing = [text for text in chunk if text not in ids]
        if missing:
            RecommendationReason.objects.bulk_create(
                [RecommendationReason(text=text) for text in missing], ignore_conflicts=True
            )
            ids.update(_reason_ids(missing))
    return ids


def _reason_ids(texts: list[str]) -> list[tuple[str, int]]:
    """(text, id) of the stored reasons among ``texts``: on PostgreSQL the texts as one array
    parameter (the ORM's ``IN`` sends each as a parameter of its own, and psycopg splits a
    statement of more than 50 parameters again on every call)."""
    if connection.vendor != "postgresql":
        return list(RecommendationReason.objects.filter(text__in=texts).values_list("text", "id"))
    table = connection.ops.quote_name(RecommendationReason._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT text, id FROM {table} WHERE text = ANY(%s::text[])",  # noqa: S608
            [array_literal(texts)],
        )
        return cursor.fetchall()


def retire_lists(user_ids: list[int]) -> None:
    """Take every list of ``user_ids`` down (rows with a click or feedback stay, unranked)."""
    _rows_retire(user_ids, wanted=set())


def _rows_retire(user_ids: list[int], *, wanted: set[tuple[int, int, str]]) -> None:
    """Rows of ``user_ids`` not in ``wanted`` (user, movie, engine) leave the lists: deleted,
    or kept with rank null when they carry a click or feedback."""
    existing = (
        UserRecommendation.objects.filter(user_id__in=user_ids)
        .annotate(
            has_feedback=Exists(
                RecommendationFeedback.objects.filter(recommendation=OuterRef("pk"))
            )
        )
        .values_list("id", "user_id", "movie_id", "algorithm", "rank", "clicked", "has_feedback")
    )
    to_unrank, to_delete = [], []
    for row_id, user_id, movie_id, algorithm, rank, clicked, has_feedback in existing:
        if (user_id, movie_id, algorithm) in wanted:
            continue
        if clicked or has_feedback:
            if rank is not None:
                to_unrank.append(row_id)
        else:
            to_delete.append(row_id)
    for start in range(0, len(to_unrank), IDS_CHUNK):
        UserRecommendation.objects.filter(id__in=to_unrank[start : start + IDS_CHUNK]).update(
            rank=None
        )
    for start in range(0, len(to_delete), IDS_CHUNK):
        UserRecommendation.objects.filter(id__in=to_delete[start : start + IDS_CHUNK]).delete()


def _rows_upsert(rows: list[tuple], *, generated_at) -> None:
    """Insert or update (user, movie, engine, score, rank, reason) rows.

    Plain SQL because the ORM's per-object preparation costs more than the write itself at a
    few hundred rows. INSERT ... ON CONFLICT on both databases. PostgreSQL gets one user's rows
    as one array per column, unnested, in one statement of eight parameters, and a training
    batch's tens of thousands by COPY to a temporary table, upserted in one statement. SQLite
    gets multi-row VALUES, 100 rows per statement.

    Why arrays: psycopg keeps how it split a statement around its placeholders only for
    statements of at most 50 parameters, and splits a longer one again on every call. A
    refresh's 50 rows (450 parameters) cost 1.5 to 6.5 ms of a worker's CPU by VALUES and 0.45
    to 0.82 ms by arrays; 240 rows 7.3 to 14.7 ms against 1.7 to 2.3 (at seed 002's volumes,
    in a rolled-back transaction, issue 16).
    """
    if connection.vendor == "postgresql":
        if len(rows) >= COPY_THRESHOLD:
            _rows_upsert_by_copy(rows, generated_at=generated_at)
        else:
            _rows_upsert_by_arrays(rows, generated_at=generated_at)
        return
    quote = connection.ops.quote_name
    table = quote(UserRecommendation._meta.db_table)
    names = (
        "user_id",
        "movie_id",
        "algorithm",
        "score",
        "rank",
        "reason_id",
        "arm_id",
        "generated_at",
    )
    columns = ", ".join(quote(column) for column in (*names, "clicked"))
    moment = connection.ops.adapt_datetimefield_value(generated_at)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), UPSERT_CHUNK):
            chunk = rows[start : start + UPSERT_CHUNK]
            values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s, %s)"] * len(chunk))
            sql = (
                f"INSERT INTO {table} ({columns}) VALUES {values} "  # noqa: S608 - names from _meta
                f"{_on_conflict_update()}"
            )
            cursor.execute(sql, [value for row in chunk for value in (*row, moment, False)])


# The upserted columns and their PostgreSQL types, in the order of the rows' values.
_ROW_TYPES = (
    ("user_id", "bigint"),
    ("movie_id", "bigint"),
    ("algorithm", "varchar"),
    ("score", "real"),
    ("rank", "smallint"),
    ("reason_id", "integer"),
    ("arm_id", "bigint"),
)


def _rows_upsert_by_arrays(rows: list[tuple], *, generated_at) -> None:
    """PostgreSQL: one INSERT ... SELECT FROM unnest(one array per column) ON CONFLICT, each
    array sent as one string (apps.core.postgresql.arrays: psycopg's own array dumping wrote
    a drain's seven columns of 1,000 rows element by element in Python, about 0.7 ms per
    thousand values, against 0.1 to 0.36 ms for the literal; issue 16)."""
    if not rows:
        return
    table = connection.ops.quote_name(UserRecommendation._meta.db_table)
    columns = ", ".join(name for name, _ in _ROW_TYPES)
    arrays = ", ".join(f"%s::{kind}[]" for _, kind in _ROW_TYPES)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}, generated_at, clicked) "  # noqa: S608 - our names
            f"SELECT {columns}, %s, false FROM unnest({arrays}) AS r({columns}) "
            f"{_on_conflict_update()}",
            [generated_at, *(array_literal(values) for values in zip(*rows, strict=True))],
        )


def _on_conflict_update() -> str:
    quote = connection.ops.quote_name
    updated = ", ".join(f"{quote(column)} = EXCLUDED.{quote(column)}" for column in UPDATED_COLUMNS)
    keys = ", ".join(quote(column) for column in ("user_id", "movie_id", "algorithm"))
    return f"ON CONFLICT ({keys}) DO UPDATE SET {updated}"


def _rows_upsert_by_copy(rows: list[tuple], *, generated_at) -> None:
    """PostgreSQL: COPY into a temporary table, then one INSERT ... SELECT ... ON CONFLICT."""
    table = connection.ops.quote_name(UserRecommendation._meta.db_table)
    staging = f"recs_staging_{uuid.uuid4().hex[:12]}"
    columns = "user_id, movie_id, algorithm, score, rank, reason_id, arm_id"
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {staging} (user_id bigint, movie_id bigint, "
            "algorithm varchar(50), score real, rank smallint, reason_id integer, "
            "arm_id bigint)"
        )
        with cursor.cursor.copy(f"COPY {staging} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            f"INSERT INTO {table} ({columns}, generated_at, clicked) "  # noqa: S608 - our names
            f"SELECT {columns}, %s, false FROM {staging} {_on_conflict_update()}",
            [generated_at],
        )
        cursor.execute(f"DROP TABLE {staging}")
