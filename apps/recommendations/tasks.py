"""Background work of recommendations: thin wrappers over services."""

from celery import shared_task

from apps.recommendations import services


@shared_task(
    name="recommendations.refresh_drain", ignore_result=True, time_limit=120, soft_time_limit=110
)
def recommendations_refresh_drain_task(every: bool = False) -> None:
    """Refresh the users whose refresh is due (services.recommendations_refresh_drain)."""
    services.recommendations_refresh_drain(every=every)


@shared_task(
    name="recommendations.refresh_user", ignore_result=True, time_limit=60, soft_time_limit=50
)
def recommendations_refresh_task(user_id: int) -> None:
    """One user's refresh, as the release before the drain sent it: kept so that messages
    already queued by that release are still run after an upgrade (nothing sends it now)."""
    services.recommendations_refresh_scheduled_many(user_ids=[user_id])


@shared_task(
    name="recommendations.train",
    ignore_result=True,
    time_limit=3 * 60 * 60,
    soft_time_limit=3 * 60 * 60 - 60,
)
def recommender_train_task() -> None:
    """Full retraining of every engine, then a refresh of every user with interactions."""
    services.recommender_train()
