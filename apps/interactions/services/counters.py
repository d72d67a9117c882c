"""Movie counters (likes, dislikes, views, ratings) folded in the background from notes.

Why: when every like updated its movie's counters in the write's transaction, every write to
one movie took that movie's row lock and held it to commit, so the writes to a hot movie ran
one at a time (about 40 a second measured, issue 15). Now a write only appends a note of what
it changed (``MovieCounterChange``: like_count +1, and dislike_count -1 when the like replaced
a dislike; one INSERT in the write's transaction, no lock on the movie) and, once it commits,
schedules a fold. The fold takes the movies of the oldest notes, locks them in id order, takes
every note of theirs committed so far and adds the changes to their counters
(services.aggregates ``movie_counters_fold``), then drops their cached details. A fold costs
the notes it folds: it used to count each touched movie again from its rows, which at seed
002's volumes cost seconds for the most popular movies, the very ones most writes touch
(issue 16). Each note is taken and added in one transaction, so it is added exactly once;
the rows stay the truth (``recount_interactions`` counts every movie again from them).

How long until counters equal the rows ("settled"): a fold is scheduled FOLD_DELAY seconds
after the first change that finds none scheduled (coalescing every change of the next
FOLD_DELAY seconds into one fold), so with a worker free the counters settle within
FOLD_DELAY plus the worker's pick-up and the fold itself (well under a second at rest;
bench/loggedin/settle.py measures it after the load). Without a broker the fold runs in the
request that committed the change, after its commit: slower writes, never wrong counts. A
periodic fold (config/settings/schedule.py) picks up notes whose scheduled fold was lost.

Meanwhile a movie's counters may lag its rows by the changes not yet folded; the answer to a
write shows the counters as last folded plus the write's own change.
"""

import logging
from decimal import Decimal
from functools import cache

from django.db import connection, transaction

from apps.core.logging import log_once
from apps.core.statements import execute_with_commit
from apps.core.tasks import CoalescedRun
from apps.interactions.models import MovieCounterChange
from apps.interactions.services.aggregates import COUNTED_FIELDS, movie_counters_fold
from apps.interactions.services.effects import movie_details_invalidate_on_commit

logger = logging.getLogger(__name__)

FOLD_DELAY = 0.5  # seconds: the changes of this long are folded together
# One fold waiting at a time, shared by every writer (its mark expires after 30 s if lost).
FOLD = CoalescedRun("interactions:counters_fold_pending")
FOLD_BATCH = 500  # notes read per transaction: their movies are folded


@cache
def _note_statement() -> str:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(name) for name in ("movie_id", "recount", *COUNTED_FIELDS))
    values = ", ".join(["%s"] * (2 + len(COUNTED_FIELDS)))
    table = quote(MovieCounterChange._meta.db_table)
    return f"INSERT INTO {table} ({columns}) VALUES ({values})"  # noqa: S608 - model's names


def counters_note(
    *,
    movie_id: int,
    changes: dict[str, int | Decimal],
    with_statement: tuple[str, list] | None = None,
) -> None:
    """In the write's transaction: the write changed the movie's counters by ``changes``
    (counter name to change, COUNTED_FIELDS); fold once it commits. (One plain INSERT: the
    ORM's would cost the write path more than the database's work.)

    ``with_statement``: the row change that made the change, ``(sql, params)``, an INSERT,
    UPDATE or DELETE without RETURNING, sent in the same statement on PostgreSQL (``WITH
    row_change AS (...)``: it runs exactly once, whether or not the note reads it)."""
    ops = connection.ops
    values = [
        ops.adapt_decimalfield_value(Decimal(changes.get(name, 0)), 12, 1)
        if name == "rating_sum"
        else changes.get(name, 0)
        for name in COUNTED_FIELDS
    ]
    sql, params = _note_statement(), [movie_id, False, *values]
    # Nothing reads the note back in the write: it goes with the commit (apps.core.statements).
    if with_statement is None:
        execute_with_commit(sql, params)
    elif connection.vendor == "postgresql":
        change, change_params = with_statement
        execute_with_commit(f"WITH row_change AS ({change}) {sql}", [*change_params, *params])
    else:
        execute_with_commit(*with_statement)
        execute_with_commit(sql, params)
    transaction.on_commit(counters_fold_schedule, robust=True)


def counters_fold_schedule() -> None:
    """Schedule one fold FOLD_DELAY seconds out, unless one is already waiting
    (apps.core.tasks.CoalescedRun); without a broker, fold here rather than let the counters
    lag."""
    from apps.interactions.tasks import counters_fold_task

    if FOLD.schedule(counters_fold_task, countdown=FOLD_DELAY):
        return
    try:
        counters_fold()
    except Exception as exc:  # noqa: BLE001 - the write has committed; the next fold retries
        log_once(logger, "counters_fold_failed", "counters_fold_failed", error=str(exc))


def counters_fold(*, batch: int = FOLD_BATCH) -> list[int]:
    """Fold every note committed so far into its movie's counters; returns the ids of the
    movies whose counters changed (their cached details are dropped after commit)."""
    FOLD.begun()  # a change committed from now on schedules a fold of its own
    changed: list[int] = []
    while True:
        with transaction.atomic():
            # The movies of the oldest notes; every note of theirs is folded.
            noted = list(
                MovieCounterChange.objects.order_by("id").values_list("movie_id", flat=True)[:batch]
            )
            if not noted:
                break
            ids = movie_counters_fold(movie_ids=noted)
            movie_details_invalidate_on_commit(ids)
        changed += ids
        if len(noted) < batch:
            break
    return list(dict.fromkeys(changed))  # once each, in the order first changed
