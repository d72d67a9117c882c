"""Enqueueing background work so that a broker outage never fails the caller."""

import logging
import time

from django.db import transaction

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
    eager = bool(getattr(task.app.conf, "task_always_eager", False))
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
