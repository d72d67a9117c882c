"""Sending the signals apps offer each other (each app's ``signals.py`` says what it sends)."""

import logging

from django.dispatch import Signal

logger = logging.getLogger(__name__)


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
