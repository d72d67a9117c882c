"""Writes and business rules of recommendations: refresh, training, clicks, feedback.

Freshness: an interaction change bumps the user's change counter, notes in the same statement
since when a refresh is due (``refresh_due_at``, kept at the first change until the refresh is
taken), drops their cached lists and, after its commit, schedules a drain: one task that takes
every user whose refresh is due (``recommendations_refresh_drain``). The refresh folds the
current history into the active engines (no retraining) and replaces the stored lists in one
transaction. One drain serves every user who wrote in the same REFRESH_COUNTDOWN, so a write
costs no broker message of its own (a message cost a like about a millisecond of CPU in the
server, more than any statement of it, and one more message for the worker; issue 16), and
the refreshes of one user are spaced at least REFRESH_MIN_INTERVAL apart (the drain takes a
user no sooner). A read never waits for a refresh that is due or running: it serves the
stored lists meanwhile, and the refreshed ones from the next read after the drain stored them
(REFRESH_COUNTDOWN plus the refresh itself, about a second with a free worker). A read
refreshes on the spot only when no refresh is on its way (the user's first read, a due
refresh overdue by REFRESH_OVERDUE because its drain was lost, or a broker this process could
not reach). Full training fits every engine, activates the new artifacts and refreshes every
user with interactions.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from apps.core.activity import activity_emit_on_commit
from apps.core.cache import (
    cache_add,
    cache_delete_many,
    cache_get,
    cache_set,
    cache_set_many,
    namespace_invalidate,
    namespace_version,
)
from apps.core.logging import log_once
from apps.core.tasks import CoalescedRun, broker_unreachable
from apps.recommendations import selectors
from apps.recommendations.engines import ENGINE_NAMES, Engine, build_engine
from apps.recommendations.engines.hybrid import HybridEngine
from apps.recommendations.engines.threads import blas_threads_pinned
from apps.recommendations.experiments import EXPERIMENTS_NAMESPACE, Arm, arm_for, running_arms
from apps.recommendations.models import (
    DISMISSAL_TYPES,
    DismissedMovie,
    ExperimentArm,
    FeedbackType,
    RecommendationFeedback,
    RecommendationState,
    UserRecommendation,
)
from apps.recommendations.registry import ACTIVE_NAMESPACE, artifact_save
from apps.recommendations.scoring import user_lists_compute_many
from apps.recommendations.signals import recommendations_served as recommendations_served_signal
from apps.recommendations.storing import (
    IMPRESSION_BUCKETS,
    BatchWriter,
    ListsToStore,
    impression_tally,
    recommendations_store_many,
    retire_lists,
    store_locks_take,
    user_namespace,
)
from apps.recommendations.training import (
    training_data_build,
    user_events_load,
    users_active_since,
)

logger = logging.getLogger(__name__)

USER_RECS_TTL = 2 * 60 * 60  # seed 001: user recommendations are cached for 2 hours
DEFAULT_LIST = "hybrid"  # the list stored for every active user; the others on demand
KEEP_DAYS = 30  # lists of users neither active nor seen for this long are not kept
SEEN_RESOLUTION = timedelta(days=1)  # ``seen_at`` is written at most once a day
REFRESH_COUNTDOWN = 0.5  # seconds: interactions in a burst are folded in by one refresh
REFRESH_MIN_INTERVAL = timedelta(seconds=20)  # between two background refreshes of one user
# A due refresh this late lost its drain (a broker restart): reads refresh on the spot again,
# unless a drain began within this long (DRAINING_KEY): then the drains are behind, not lost.
REFRESH_OVERDUE = timedelta(seconds=60)
# Set by every drain as it begins, for REFRESH_OVERDUE: while the drains run, an overdue refresh
# waits for them. Refreshing on the spot then would put on the servers, at the moment they are
# busiest, the work that made the drains fall behind (a read of an overdue user took 9 ms of a
# server's CPU against 2.4 ms for a hit, at seed 002's volumes after a burst of likes, issue 16).
DRAINING_KEY = "recs:draining"
# One drain waiting at a time, shared by every writer (its mark expires after 30 s if lost).
DRAIN = CoalescedRun("recs:refresh_drain_pending")
DRAIN_BATCH = 20  # users a drain refreshes before it leaves the rest to the next one
REFRESHING_TTL = 30
REFRESH_BATCH = 200


def user_cache_parts(*, engine: str | None, limit: int) -> tuple:
    """Cache key parts of a served list; a newly activated model or a change of experiments
    makes old entries unreachable."""
    return (
        engine or "default",
        limit,
        namespace_version(ACTIVE_NAMESPACE),
        namespace_version(EXPERIMENTS_NAMESPACE),
    )


def _refreshing_key(user_id: int) -> str:
    return f"recs:refreshing:{user_id}"


# Freshness ----------------------------------------------------------------------------------


def recommendations_mark_stale(*, user_id: int) -> None:
    """The user's signals changed: their lists are stale until the due refresh runs."""
    due = {"change_count": F("change_count") + 1, "refresh_due_at": _due_now()}
    if not RecommendationState.objects.filter(user_id=user_id).update(**due):
        _, created = RecommendationState.objects.get_or_create(
            user_id=user_id, defaults={"change_count": 1, "refresh_due_at": timezone.now()}
        )
        if not created:  # made by another request in between
            RecommendationState.objects.filter(user_id=user_id).update(**due)
    namespace_invalidate(user_namespace(user_id))
    transaction.on_commit(recommendations_refresh_drain_schedule, robust=True)


def _due_now():
    """``refresh_due_at``'s new value in an UPDATE: kept if a refresh is already due, else now."""
    return Coalesce(F("refresh_due_at"), Value(timezone.now()))


def recommendations_refresh_drain_schedule(*, countdown: float = REFRESH_COUNTDOWN) -> None:
    """Schedule one drain ``countdown`` seconds out, unless one is already waiting
    (apps.core.tasks.CoalescedRun), after the commit of a change that made a refresh due.

    In eager mode the drain runs here, taking every due refresh. Without a broker nothing is
    sent: the refresh stays due, and the user's next read, which knows the broker failed
    (``broker_unreachable``), refreshes on the spot."""
    from apps.recommendations.tasks import recommendations_refresh_drain_task

    eager = bool(recommendations_refresh_drain_task.app.conf.task_always_eager)
    DRAIN.schedule(recommendations_refresh_drain_task, countdown=countdown, every=eager)


def recommendations_refresh_drain(*, every: bool = False, batch: int = DRAIN_BATCH) -> list[int]:
    """Refresh up to ``batch`` users whose refresh is due and whose last refresh is at least
    REFRESH_MIN_INTERVAL old (``every``: all due users, however recent; eager mode), and
    schedule the next drain while others wait. Returns the users refreshed.

    Each user is taken (their ``refresh_due_at`` cleared) in a short transaction before the
    refresh reads their history, so a change committed from then on makes them due again;
    two drains take different users (SKIP LOCKED). The users taken are refreshed together
    (``recommendations_refresh_many``: a query for all of them where one user's refresh ran
    several of its own, one pass of the engines, one transaction to store). A refresh that
    fails leaves the lists stale, not due: the user's next read refreshes them. After the
    refreshes each user's default answer is made and cached (apps.recommendations.answers),
    so their next read is a hit."""
    DRAIN.begun()  # a change committed from now on schedules a drain of its own
    cache_set(DRAINING_KEY, 1, int(REFRESH_OVERDUE.total_seconds()))
    taken = _due_take(every=every, batch=batch)
    refreshed = recommendations_refresh_scheduled_many(user_ids=taken) if taken else []
    _answers_prepare(refreshed)
    if len(taken) == batch:
        recommendations_refresh_drain_schedule(countdown=0)  # more may be due now
    elif RecommendationState.objects.filter(refresh_due_at__isnull=False).exists():
        recommendations_refresh_drain_schedule()  # the rest, once their interval has passed
    return refreshed


def _answers_prepare(user_ids: list[int]) -> None:
    """Cache the default answer of each of these users after their refresh
    (apps.recommendations.answers), so their next read is a hit; a failure costs those reads
    a miss, nothing else."""
    from apps.recommendations.answers import served_answers_prepare

    if not user_ids:
        return
    try:
        arms = running_arms()
        users = []
        for user_id in user_ids:
            arm = arm_for(user_id=user_id, arms=arms)
            users.append((user_id, default_engine(arm), arm))
        served_answers_prepare(users=users)
    except Exception as exc:  # noqa: BLE001 - the refresh is stored; the read makes the answer
        log_once(
            logger,
            "recommendations_answer_prepare_failed",
            "recommendations_answer_prepare_failed",
            users=len(user_ids),
            error=str(exc),
        )


def _due_take(*, every: bool, batch: int) -> list[int]:
    """The ids of up to ``batch`` users whose refresh the drain may run now, oldest due first,
    their ``refresh_due_at`` cleared (committed before the refreshes read anything).

    On PostgreSQL one statement, its own transaction outside an atomic block: the state rows
    it takes are locked only while it runs. Every like, rating and watchlist change updates
    its user's state row, and the take used to hold the rows of its users across three round
    trips of a worker that runs at a lower priority than the servers (the select, the update,
    the commit)."""
    now = timezone.now()
    if connection.vendor == "postgresql":
        return _due_take_in_one_statement(now=now, every=every, batch=batch)
    due = RecommendationState.objects.filter(refresh_due_at__isnull=False)
    if not every:
        due = due.filter(refresh_due_at__lte=now).filter(
            Q(refreshed_at__isnull=True) | Q(refreshed_at__lte=now - REFRESH_MIN_INTERVAL)
        )
    with transaction.atomic():
        taken = list(
            due.select_for_update(skip_locked=True)
            .order_by("refresh_due_at")
            .values_list("user_id", flat=True)[:batch]
        )
        if taken:
            RecommendationState.objects.filter(user_id__in=taken).update(refresh_due_at=None)
    return taken


def _due_take_in_one_statement(*, now, every: bool, batch: int) -> list[int]:
    """``_due_take`` on PostgreSQL: the due rows taken (FOR UPDATE SKIP LOCKED, so two drains
    take different users and none waits for a write in flight) and cleared by one statement.
    The taking CTE is read twice, so PostgreSQL runs it once; the answer is in its order."""
    table = connection.ops.quote_name(RecommendationState._meta.db_table)
    ready = (
        ""
        if every
        else (" AND refresh_due_at <= %s AND (refreshed_at IS NULL OR refreshed_at <= %s)")
    )
    params = [] if every else [now, now - REFRESH_MIN_INTERVAL]
    # In autocommit, one round trip: the statement is its own transaction.
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH taken AS (SELECT user_id, refresh_due_at FROM {table} "  # noqa: S608
            f"WHERE refresh_due_at IS NOT NULL{ready} "
            "ORDER BY refresh_due_at LIMIT %s FOR UPDATE SKIP LOCKED), "
            f"cleared AS (UPDATE {table} AS s SET refresh_due_at = NULL FROM taken "
            "WHERE s.user_id = taken.user_id) "
            "SELECT user_id FROM taken ORDER BY refresh_due_at, user_id",
            [*params, batch],
        )
        return [user_id for (user_id,) in cursor.fetchall()]


def recommendations_refresh_on_the_way(*, state: RecommendationState) -> bool:
    """Whether a refresh of the user's lists is due or running (a read need not do it): due
    and not overdue, or overdue while the drains are running (they take the oldest due
    first), with the broker reachable."""
    if cache_get(_refreshing_key(state.user_id)) is not None:
        return True
    due = state.refresh_due_at
    if due is None or broker_unreachable():
        return False
    return timezone.now() - due < REFRESH_OVERDUE or cache_get(DRAINING_KEY) is not None


def recommendations_refresh_scheduled_many(*, user_ids: list[int]) -> list[int]:
    """The refreshes a drain took: refresh these users now, together, holding their
    refreshing marks so that reads meanwhile serve the stored lists instead of refreshing
    too. Returns the users refreshed (not those who are gone). If refreshing them together
    fails, each is tried alone, so one user's failure does not stop the others."""
    keys = [_refreshing_key(user_id) for user_id in user_ids]
    cache_set_many(dict.fromkeys(keys, 1), REFRESHING_TTL)
    try:
        try:
            return recommendations_refresh_many(user_ids=user_ids)
        except Exception as exc:  # noqa: BLE001 - retried user by user below
            log_once(
                logger,
                "recommendations_refresh_batch_failed",
                "recommendations_refresh_batch_failed",
                users=len(user_ids),
                error=str(exc),
            )
        refreshed = []
        for user_id in user_ids:
            try:
                refreshed += recommendations_refresh_many(user_ids=[user_id])
            except Exception as exc:  # noqa: BLE001 - one user's failure must not stop the others
                _refresh_failed(user_id, exc)
        return refreshed
    finally:
        cache_delete_many(keys)


def _refresh_failed(user_id: int, exc: Exception) -> None:
    """Log a user's failed refresh (at most once a minute per process, apps.core.logging); the
    lists stay stale, and the next read refreshes them."""
    log_once(
        logger,
        "recommendations_refresh_failed",
        "recommendations_refresh_failed",
        user_id=user_id,
        error=str(exc),
    )


def recommendations_refresh(*, user_id: int, engine: str | None = None) -> bool:
    """Fold the user's current events into the active engines and store the new lists: the
    default list, the other lists the user has, and ``engine``'s when given.

    Returns False when a refresh that read newer events has already stored its lists, or the
    user is gone.
    """
    return user_id in recommendations_refresh_many(user_ids=[user_id], engine=engine, stored=True)


def recommendations_refresh_many(
    *, user_ids: list[int], engine: str | None = None, stored: bool = False
) -> list[int]:
    """``recommendations_refresh`` of every one of ``user_ids`` who still exists, together:
    one query for all of them for each thing a refresh reads (states, stored lists, events,
    favorite genres), the lists computed in one pass per experiment arm and set of engines,
    and stored in one transaction. Returns the users refreshed, in id order; with ``stored``,
    only those whose lists were stored (not those a refresh that read newer events had
    already stored).

    Each user's change counter is read before their events, so lists are never stored as
    newer than the history they were computed from (a change landing in between makes the
    next refresh store again).
    """
    users = sorted(
        get_user_model().objects.filter(pk__in=set(user_ids)).values_list("pk", flat=True)
    )
    if not users:
        return []
    kept = selectors.stored_list_engines_of(user_ids=users)
    batch = _lists_compute(
        users,
        engines_for=lambda user_id, arm: {
            default_engine(arm),
            *kept.get(user_id, ()),
            *([engine] if engine else []),
        },
    )
    written = recommendations_store_many(batch=batch)
    return sorted(written) if stored else users


def _lists_compute(
    user_ids: list[int],
    *,
    engines_for: Callable[[int, Arm | None], set[str]],
    arms: list[Arm] | None = None,
) -> list[ListsToStore]:
    """The new lists of these users (who exist), each with the change counter it was computed
    at: their states made where missing, the counters read before the events, the users
    computed together per experiment arm and set of engines (``engines_for(user_id, arm)``)."""
    RecommendationState.objects.bulk_create(
        [RecommendationState(user_id=user_id) for user_id in user_ids], ignore_conflicts=True
    )
    counts = dict(
        RecommendationState.objects.filter(user_id__in=user_ids).values_list(
            "user_id", "change_count"
        )
    )
    events = user_events_load(user_ids=user_ids)
    genres = selectors.favorite_genres_of(user_ids=user_ids)
    arms = running_arms() if arms is None else arms
    # Grouped by arm id: an arm's blend is a dict, so an Arm is not hashable.
    groups: dict[tuple[int | None, tuple[str, ...]], tuple[Arm | None, list[int]]] = {}
    for user_id in user_ids:
        arm = arm_for(user_id=user_id, arms=arms)
        wanted = engines_for(user_id, arm)
        names = tuple(name for name in ENGINE_NAMES if name in wanted)
        groups.setdefault((arm.id if arm else None, names), (arm, []))[1].append(user_id)
    batch: list[ListsToStore] = []
    for (_, names), (arm, members) in groups.items():
        lists = user_lists_compute_many(
            users=[(events[user_id], genres.get(user_id, [])) for user_id in members],
            engine_names=names,
            hybrid_weights=arm.weights if arm else None,
        )
        batch += [
            ListsToStore(
                user_id=user_id,
                lists=user_lists,
                seen_count=counts[user_id],
                arm_id=arm.id if arm else None,
            )
            for user_id, user_lists in zip(members, lists, strict=True)
        ]
    return batch


def default_engine(arm: Arm | None) -> str:
    """The engine of a user's default list: their experiment arm's, else the hybrid."""
    return arm.engine if arm is not None else DEFAULT_LIST


def recommendations_served(
    *, user, engine: str | None, limit: int
) -> tuple[list[UserRecommendation], str, Arm | None]:
    """The user's stored list for ``engine`` (None: their default list), refreshed first
    when stale, with the engine and the experiment arm it was served under. A list other
    than the default one is computed and stored the first time it is asked for."""
    arm = arm_for(user_id=user.id)
    engine = engine or default_engine(arm)
    recommendations_ensure_fresh(user_id=user.id)
    rows = selectors.recommendation_list(user=user, engine=engine, limit=limit)
    if not rows and engine != DEFAULT_LIST:
        try:
            recommendations_refresh(user_id=user.id, engine=engine)
        except Exception as exc:  # noqa: BLE001 - an empty list beats an error page
            log_once(
                logger,
                "recommendations_list_failed",
                "recommendations_list_failed",
                user_id=user.id,
                engine=engine,
                error=str(exc),
            )
        rows = selectors.recommendation_list(user=user, engine=engine, limit=limit)
    return rows, engine, arm


def impressions_record(
    *, user_id: int, engine: str, arm: Arm | None, count: int, movie_ids: list[int] | None = None
) -> None:
    """Count ``count`` items served to a user today under ``engine`` and ``arm``, and send
    ``recommendations_served`` for listeners (analytics). Never fails the caller."""
    try:
        impression_tally.add(
            (
                timezone.localdate(),
                engine,
                arm.experiment if arm else "",
                arm.name if arm else "",
                user_id % IMPRESSION_BUCKETS,
            ),
            count,
        )
    except DatabaseError as exc:
        log_once(
            logger,
            "recommendation_impressions_failed",
            "recommendation_impressions_failed",
            error=str(exc),
        )
    recommendations_served_signal.send_robust(
        sender=UserRecommendation,
        user_id=user_id,
        engine=engine,
        experiment=arm.experiment if arm else "",
        arm=arm.name if arm else "",
        count=count,
        movie_ids=movie_ids or [],
    )


def recommendations_ensure_fresh(*, user_id: int) -> None:
    """Refresh now if the user's lists are missing or stale; never fails the caller.

    One request per user refreshes at a time; the others serve what is stored. Notes (once a
    day) that the user was seen, which keeps their lists through trainings.
    """
    state = selectors.recommendation_state(user_id=user_id)
    now = timezone.now()
    if state is not None and (state.seen_at is None or now - state.seen_at > SEEN_RESOLUTION):
        RecommendationState.objects.filter(user_id=user_id).update(seen_at=now)
    if state is not None and not state.is_stale:
        return
    if (
        state is not None
        and state.refreshed_at is not None
        and recommendations_refresh_on_the_way(state=state)
    ):
        return  # the stored lists now, the refreshed ones from the next read on
    key = _refreshing_key(user_id)
    if not cache_add(key, 1, REFRESHING_TTL):
        return
    try:
        recommendations_refresh(user_id=user_id)
        if state is None:
            RecommendationState.objects.filter(user_id=user_id).update(seen_at=now)
    except Exception as exc:  # noqa: BLE001 - stored lists (or none) beat an error page
        _refresh_failed(user_id, exc)
    finally:
        cache_delete_many([key])


# Training -----------------------------------------------------------------------------------


def recommender_train(
    *,
    engine_names: tuple[str, ...] = ENGINE_NAMES,
    refresh: bool = True,
    report: Callable[[str], None] | None = None,
) -> dict:
    """Fit every engine on the current signals, activate the artifacts, refresh users.

    Returns figures for the command and the logs: events, users, items, seconds per step.
    BLAS runs on ``RECOMMENDER_BLAS_THREADS`` threads (1 by default) throughout, so another
    process's load does not multiply the fit time (engines/threads.py).
    """
    with blas_threads_pinned():
        return _recommender_train(engine_names=engine_names, refresh=refresh, report=report)


def _recommender_train(
    *, engine_names: tuple[str, ...], refresh: bool, report: Callable[[str], None] | None
) -> dict:
    say = report or (lambda message: None)
    started = time.perf_counter()
    data = training_data_build()
    figures: dict = {
        "events": int(data.weights.size),
        "users": data.n_users,
        "items": data.n_items,
        "load_seconds": round(time.perf_counter() - started, 2),
        "engines": {},
    }
    say(
        f"loaded {figures['events']} events of {data.n_users} users over {data.n_items} movies "
        f"in {figures['load_seconds']} s"
    )
    if data.weights.size == 0:
        say("no interactions yet: nothing to train (cold-start lists still work)")
        return figures
    fitted: dict[str, Engine] = {}
    for name in engine_names:
        fit_started = time.perf_counter()
        engine = build_engine(name)
        if isinstance(engine, HybridEngine):
            # Its collaborative and content parts are the engines just fitted on the same
            # data when their parameters match: EASE is fitted once, not twice.
            engine.fit(data, fitted=fitted)
        else:
            engine.fit(data)
        fitted[name] = engine
        seconds = round(time.perf_counter() - fit_started, 2)
        artifact = artifact_save(
            name=name,
            engine=engine,
            item_ids=data.item_ids,
            stats={
                "events": figures["events"],
                "users": data.n_users,
                "items": data.n_items,
                "fit_seconds": seconds,
            },
        )
        figures["engines"][name] = {"version": artifact.version, "fit_seconds": seconds}
        say(f"{name}: version {artifact.version} fitted in {seconds} s")
    if refresh:
        refresh_started = time.perf_counter()
        figures["refreshed_users"] = recommendations_refresh_all(report=say)
        figures["refresh_seconds"] = round(time.perf_counter() - refresh_started, 2)
    figures["total_seconds"] = round(time.perf_counter() - started, 2)
    return figures


def recommendations_refresh_all(*, report: Callable[[str], None] | None = None) -> int:
    """Refresh the default list of every user active or seen in the last ``KEEP_DAYS``, in
    batches; everyone else refreshes on their next read.

    Every state is bumped first, so lists computed before the new models count as stale. The
    lists of users not seen for longer are deleted (rows with a click or feedback stay, out
    of the lists): they are recomputed when the user comes back. Other lists than the default
    one are dropped and made again when asked for.
    """
    say = report or (lambda message: None)
    RecommendationState.objects.update(change_count=F("change_count") + 1)
    user_ids = users_active_since(timezone.now() - timedelta(days=KEEP_DAYS))
    dropped = recommendations_prune(keep=set(user_ids))
    say(f"dropped the lists of {dropped} users not seen for {KEEP_DAYS} days")
    arms = running_arms()
    existing_users = set(
        get_user_model().objects.filter(id__in=user_ids).values_list("id", flat=True)
    )
    done = 0
    with BatchWriter() as writer:
        for start in range(0, len(user_ids), REFRESH_BATCH):
            batch = [
                user_id
                for user_id in user_ids[start : start + REFRESH_BATCH]
                if user_id in existing_users
            ]
            stored = _lists_compute(
                batch, engines_for=lambda user_id, arm: {default_engine(arm)}, arms=arms
            )
            writer.submit(sorted(stored, key=lambda entry: entry.user_id))
            done += len(batch)
            say(f"refreshed {done} of {len(user_ids)} users")
    return done


def recommendations_prune(*, keep: set[int]) -> int:
    """Delete the current lists of every user not in ``keep`` (rows with a click or feedback
    stay, with rank null); their state says never refreshed, so a read recomputes them."""
    listed = set(
        UserRecommendation.objects.filter(rank__isnull=False)
        .values_list("user_id", flat=True)
        .distinct()
    )
    dropped = sorted(listed - keep)
    for start in range(0, len(dropped), 500):
        chunk = dropped[start : start + 500]
        with transaction.atomic():
            retire_lists(chunk)
            RecommendationState.objects.filter(user_id__in=chunk).update(
                refreshed_at=None, refreshed_count=0
            )
        for user_id in chunk:
            namespace_invalidate(user_namespace(user_id))
    return len(dropped)


# Clicks and feedback ------------------------------------------------------------------------


def _arm_names(arm_id: int | None) -> dict:
    """The experiment and arm names of the arm that made a row ("" outside any experiment)."""
    if arm_id is None:
        return {"experiment": "", "arm": ""}
    names = ExperimentArm.objects.filter(pk=arm_id).values_list("experiment__name", "name")
    experiment, arm = names.first() or ("", "")
    return {"experiment": experiment, "arm": arm}


def recommendation_click(*, recommendation: UserRecommendation) -> UserRecommendation:
    """Record that the user opened this recommendation; a second click changes nothing.

    The first click is a positive signal (as much as a view): the user's lists are refreshed.
    """
    user_id = recommendation.user_id
    with transaction.atomic():
        first = UserRecommendation.objects.filter(pk=recommendation.pk, clicked=False).update(
            clicked=True, clicked_at=timezone.now()
        )
        if first:
            transaction.on_commit(lambda: recommendations_mark_stale(user_id=user_id), robust=True)
        activity_emit_on_commit(
            event="recommendation_click",
            user_id=user_id,
            movie_id=recommendation.movie_id,
            metadata={
                "recommendation_id": recommendation.pk,
                "engine": recommendation.algorithm,
                "rank": recommendation.rank,
                "first": bool(first),
                **_arm_names(recommendation.arm_id),
            },
        )
    recommendation.refresh_from_db(fields=["clicked", "clicked_at"])
    return recommendation


def recommendation_feedback_give(
    *, recommendation: UserRecommendation, feedback_type: str, comment: str = ""
) -> tuple[RecommendationFeedback, bool]:
    """Record feedback; returns it and whether it is new (the same feedback twice is one).

    Positive and negative replace each other and re-weigh the movie in the user's history.
    Not interested and already seen dismiss the movie from every list at once and for good.
    """
    user_id = recommendation.user_id
    with transaction.atomic():
        if feedback_type in DISMISSAL_TYPES:
            # The user's store lock orders this dismissal against a refresh storing lists at
            # the same moment (apps.recommendations.storing): that one reads the dismissals
            # after this commits, or this one unranks the rows that one stored. Taken first,
            # before this transaction holds any row that store may write or delete.
            store_locks_take([user_id])
        feedback, created = RecommendationFeedback.objects.get_or_create(
            recommendation=recommendation,
            feedback_type=feedback_type,
            defaults={"user_id": user_id, "comment": comment},
        )
        if not created and comment and comment != feedback.comment:
            feedback.comment = comment
            feedback.save(update_fields=["comment"])
        if feedback_type in (FeedbackType.POSITIVE, FeedbackType.NEGATIVE):
            opposite = (
                FeedbackType.NEGATIVE
                if feedback_type == FeedbackType.POSITIVE
                else FeedbackType.POSITIVE
            )
            RecommendationFeedback.objects.filter(
                recommendation=recommendation, feedback_type=opposite
            ).delete()
        if feedback_type in DISMISSAL_TYPES:
            RecommendationState.objects.filter(user_id=user_id).update(
                change_count=F("change_count") + 1, refresh_due_at=_due_now()
            )
            DismissedMovie.objects.get_or_create(
                user_id=user_id,
                movie_id=recommendation.movie_id,
                defaults={"feedback_type": feedback_type},
            )
            UserRecommendation.objects.filter(
                user_id=user_id, movie_id=recommendation.movie_id, rank__isnull=False
            ).update(rank=None)
            transaction.on_commit(
                lambda: namespace_invalidate(user_namespace(user_id)), robust=True
            )
            # The lists are one short now: refilled in the background (due above).
            transaction.on_commit(recommendations_refresh_drain_schedule, robust=True)
        else:
            transaction.on_commit(lambda: recommendations_mark_stale(user_id=user_id), robust=True)
    return feedback, created
