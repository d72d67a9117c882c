"""The Celery application. Tasks are thin wrappers over services (see each app's tasks.py)."""

import os

from celery import Celery
from celery.signals import (
    after_setup_logger,
    after_setup_task_logger,
    worker_process_shutdown,
    worker_shutdown,
)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = Celery("movie_nexus")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@after_setup_logger.connect
@after_setup_task_logger.connect
def _redact_secrets_on_worker_handlers(logger, **kwargs) -> None:
    """A worker replaces the root logger's handlers with its own: give them the redaction too."""
    from apps.core.logging import SecretRedactingFilter

    for handler in logger.handlers:
        if not any(isinstance(f, SecretRedactingFilter) for f in handler.filters):
            handler.addFilter(SecretRedactingFilter())


@worker_process_shutdown.connect
@worker_shutdown.connect
def _send_what_is_held(**kwargs) -> None:
    """A pool process ends without atexit: what its tasks left in memory goes now."""
    from apps.core.signals import process_stopping_send

    process_stopping_send()
