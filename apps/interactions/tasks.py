"""Background work of interactions: thin wrappers over services."""

from celery import shared_task

from apps.interactions.services.counters import counters_fold


@shared_task(
    name="interactions.counters_fold", ignore_result=True, time_limit=120, soft_time_limit=110
)
def counters_fold_task() -> None:
    """Fold the noted counter changes into the movies' counters (services.counters)."""
    counters_fold()
