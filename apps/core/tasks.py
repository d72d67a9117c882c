"""Enqueueing background work so that a broker outage never fails the caller."""

import logging

from django.db import transaction

from apps.core.logging import log_once

logger = logging.getLogger(__name__)


def enqueue(task, *args, countdown: float | None = None, **kwargs) -> bool:
    """Send ``task`` to the broker (or run it, in eager mode). False if that failed.

    ``countdown`` delays the run by that many seconds (eager mode runs it at once).
    """
    options = {"countdown": countdown} if countdown else {}
    try:
        task.apply_async(args=args, kwargs=kwargs, retry=False, **options)
    except Exception as exc:  # noqa: BLE001 - the broker is optional for the request path
        log_once(
            logger,
            f"enqueue_failed:{task.name}",
            "task_enqueue_failed",
            task=task.name,
            error=str(exc),
        )
        return False
    return True


def enqueue_on_commit(task, *args, using: str | None = None, **kwargs) -> None:
    """Enqueue ``task`` once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: enqueue(task, *args, **kwargs), using=using)
