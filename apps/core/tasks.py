"""Enqueueing background work so that a broker outage never fails the caller."""

import logging
import time
import weakref

from django.db import transaction

from apps.core.cache import cache_add_or_get, cache_delete_many
from apps.core.logging import log_once

logger = logging.getLogger(__name__)

# After a failed publish, this process stops trying for a while: an unreachable broker costs
# a connection timeout per attempt, and a request should not pay it on every write.
BROKER_RETRY_AFTER_SECONDS = 15.0
_broker_down_until = 0.0


def enqueue(task, *args, countdown: float | None = None, **kwargs) -> bool:
    """Send ``task`` to the broker (or run it, in eager mode). False if that failed.

    ``countdown`` delays the run by that many seconds (eager mode runs it at once).
    """
    global _broker_down_until
    eager = _eager(task)
    if not eager and time.monotonic() < _broker_down_until:
        log_once(
            logger,
            f"enqueue_skipped:{task.name}",
            "task_enqueue_skipped_broker_down",
            task=task.name,
        )
        return False
    options = {"countdown": countdown} if countdown else {}
    try:
        task.apply_async(args=args, kwargs=kwargs, retry=False, **options)
    except Exception as exc:  # noqa: BLE001 - the broker is optional for the request path
        if not eager:
            _broker_down_until = time.monotonic() + BROKER_RETRY_AFTER_SECONDS
        log_once(
            logger,
            f"enqueue_failed:{task.name}",
            "task_enqueue_failed",
            task=task.name,
            error=str(exc),
        )
        return False
    return True


def _eager(task) -> bool:
    return bool(getattr(task.app.conf, "task_always_eager", False))


def broker_unreachable() -> bool:
    """Whether this process failed to reach the broker in the last BROKER_RETRY_AFTER_SECONDS
    (work it would enqueue now is not sent: callers may do it themselves instead)."""
    return time.monotonic() < _broker_down_until


def broker_backoff_reset() -> None:
    """Forget a remembered broker failure (tests, or after the broker is known to be back)."""
    global _broker_down_until
    _broker_down_until = 0.0


def enqueue_on_commit(task, *args, using: str | None = None, **kwargs) -> None:
    """Enqueue ``task`` once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: enqueue(task, *args, **kwargs), using=using)


_coalesced_runs: "weakref.WeakSet[CoalescedRun]" = weakref.WeakSet()


class CoalescedRun:
    """At most one waiting run of a task, shared by every process, for work that many writes
    make due and one run does for all of them (the counters fold, the recommendations drain).

    The first write after a run began schedules the next one; the others find its mark in the
    cache (of two racing writers one sets it) and send nothing. The run drops the mark as it
    begins (``begun``), so a write committed from then on schedules a run of its own and none
    is left waiting; the mark expires after ``ttl`` seconds, so a run a broker lost blocks new
    ones no longer than that. The cache down makes every write send a run (``cache_add_or_get``
    answers that it set the mark): more runs, none missed.

    A run takes every write committed before it begins, and it cannot begin before the time
    it was sent for (its countdown). So a process that knows of a waiting run skips even the
    cache until ``margin`` seconds before that time: the run it sent, or one another process
    sent, whose time the mark holds (wall-clock milliseconds, read with the same round trip
    that tried to set it). Without this every write of every process but the sender asked the
    cache, once per kind of run (issue 16: 1.4 to 1.7 extra round trips per like through the
    stack). What it assumes: the clocks of the processes and the workers agree within
    ``margin``, as the sender's own countdown already did. A run past its time (a busy
    worker) is relied on by nobody: it may begin at any moment, so each write asks again. In
    eager mode the run is over when ``schedule`` returns, so there is nothing to rely on."""

    def __init__(self, key: str, *, ttl: int = 30, margin: float = 0.1):
        self.key, self.ttl, self.margin = key, ttl, margin
        # Monotonic time until which a run this process knows of has not begun. Two threads
        # may both pass the check and both ask the cache: the mark lets one of them send.
        self._known_until = 0.0
        _coalesced_runs.add(self)

    def schedule(self, task, *, countdown: float, **kwargs) -> bool:
        """Send one run of ``task`` (with ``kwargs``) ``countdown`` seconds out, unless one is
        waiting. False only when the broker did not take it: the mark is dropped, and the
        caller may do the work itself."""
        now = time.monotonic()
        if now < self._known_until:
            return True
        begins = time.time() + countdown
        added, waiting = cache_add_or_get(self.key, int(begins * 1000), self.ttl)
        eager = _eager(task)
        if not added:
            if not eager:
                self._rely_on(now, waiting)
            return True
        if not enqueue(task, countdown=countdown, **kwargs):
            cache_delete_many([self.key])
            return False
        if not eager:
            self._known_until = now + countdown - self.margin
        return True

    def _rely_on(self, now: float, begins_ms) -> None:
        """Another process's run is waiting, sent for ``begins_ms`` (its mark's value): skip
        the cache until ``margin`` before then. Anything else (an expired mark, one of an
        older release that holds no time, a run past its time) is not relied on."""
        if isinstance(begins_ms, int) and not isinstance(begins_ms, bool):
            left = begins_ms / 1000 - time.time() - self.margin
            if left > 0:
                self._known_until = now + left

    def begun(self) -> None:
        """The run is starting: a write committed from now on schedules the next one."""
        cache_delete_many([self.key])

    def forget(self) -> None:
        """Forget the run this process knows of, so its next write asks the cache again."""
        self._known_until = 0.0


def coalesced_runs_forget() -> None:
    """Forget every run this process sent (tests: a test that sent one through a broker, eager
    mode off, must not leave the next test in the process relying on a run that never comes;
    that once cost a CI run 12 uncounted likes)."""
    for run in _coalesced_runs:
        run.forget()
