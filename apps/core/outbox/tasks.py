"""Outbox tasks: thin wrappers over apps.core.outbox.services (named ``notifications.*`` so they
run on the notifications queue, config/settings/queues.py)."""

from celery import shared_task


@shared_task(name="notifications.outbox_send", time_limit=120, soft_time_limit=100)
def outbox_send_task(log_id: int) -> str | None:
    from apps.core.outbox.services import outbox_send

    return outbox_send(log_id=log_id)


@shared_task(name="notifications.outbox_flush", time_limit=600, soft_time_limit=540)
def outbox_flush_task() -> dict:
    from apps.core.outbox.services import outbox_flush

    return dict(outbox_flush())
