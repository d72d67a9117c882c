"""Notification tasks: thin wrappers over the services (beat runs them: settings schedule.py)."""

from celery import shared_task


@shared_task(name="notifications.digests_send", time_limit=3600, soft_time_limit=3500)
def digests_send_task() -> dict:
    from apps.notifications.services.digests import digests_send

    return dict(digests_send())


@shared_task(name="notifications.alerts_send", time_limit=3600, soft_time_limit=3500)
def alerts_send_task(kinds: list[str] | None = None) -> dict:
    from apps.notifications.services.alerts import alerts_send

    return dict(alerts_send(kinds=kinds))
