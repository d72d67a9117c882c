"""Movie counters (likes, dislikes, views, ratings) folded in the background from the rows.

Why: when every like updated its movie's counters in the write's transaction, every write to
one movie took that movie's row lock and held it to commit, so the writes to a hot movie ran
one at a time (about 40 a second measured, issue 15). Now a write only appends a note
(``MovieCounterChange``, one INSERT in its own transaction, no lock on the movie) and, once it
commits, schedules a fold. The fold takes the notes (``FOR UPDATE SKIP LOCKED``: two folds
take disjoint notes) and sets those movies' counters from their rows
(``movie_aggregates_recompute``: movie rows locked in id order, one UPDATE per batch), then
drops their cached details. The counters are recomputed, never incremented, so a fold is
idempotent: a note folded twice, or a write committed while a fold runs (its note stays for the
next fold), can never make a counter drift from the rows.

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

from django.db import connection, transaction

from apps.core.logging import log_once
from apps.core.tasks import CoalescedRun
from apps.interactions.models import MovieCounterChange
from apps.interactions.services.aggregates import movie_aggregates_recompute
from apps.interactions.services.effects import movie_details_invalidate_on_commit

logger = logging.getLogger(__name__)

FOLD_DELAY = 0.5  # seconds: the changes of this long are folded together
# One fold waiting at a time, shared by every writer (its mark expires after 30 s if lost).
FOLD = CoalescedRun("interactions:counters_fold_pending")
FOLD_BATCH = 900  # notes per transaction (under SQLite's 999 bound parameters)


def counters_note(*, movie_id: int) -> None:
    """In the write's transaction: the movie's counted rows changed; fold once it commits.
    (One plain INSERT: the ORM's would cost the write path more than the database's work.)"""
    table = connection.ops.quote_name(MovieCounterChange._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({connection.ops.quote_name('movie_id')}) VALUES (%s)",  # noqa: S608
            [movie_id],
        )
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
            notes = list(
                MovieCounterChange.objects.select_for_update(skip_locked=True)
                .order_by("id")
                .values_list("id", "movie_id")[:batch]
            )
            if not notes:
                break
            MovieCounterChange.objects.filter(id__in=[note for note, _ in notes]).delete()
            ids = movie_aggregates_recompute(movie_ids={movie for _, movie in notes})
            movie_details_invalidate_on_commit(ids)
        changed += ids
        if len(notes) < batch:
            break
    return changed
