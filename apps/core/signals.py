"""Sending the signals apps offer each other (each app's ``signals.py`` says what it sends)."""

import atexit
import logging

from django.dispatch import Signal

logger = logging.getLogger(__name__)

# Sent as a process stops, after its last request or task: a listener sends what it still holds
# in memory (apps.analytics.buffer's pending entries). The server (config.rsgi) and the Celery
# worker's processes (config.celery) send it themselves, as they end without running atexit;
# any other process sends it at a normal exit. Sending it twice is harmless.
process_stopping = Signal()


def signal_send_robust(signal: Signal, sender, **kwargs) -> None:
    """Send ``signal`` to every receiver; what a receiver raises is logged, never raised, so a
    failing listener cannot fail the write that caused the signal."""
    for receiver, outcome in signal.send_robust(sender=sender, **kwargs):
        if isinstance(outcome, Exception):
            logger.warning(
                "signal_receiver_failed",
                extra={"receiver": getattr(receiver, "__qualname__", str(receiver))},
                exc_info=outcome,
            )


def process_stopping_send() -> None:
    signal_send_robust(process_stopping, sender=None)


atexit.register(process_stopping_send)
