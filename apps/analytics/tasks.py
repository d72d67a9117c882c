"""Background work of the analytics app: thin wrappers over services."""

from celery import shared_task


# The registered name is the one from when the accounts app owned this task, so a retry queued
# before the move still runs.
@shared_task(
    name="accounts.user_activity_anonymise",
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=8,
    time_limit=300,
    soft_time_limit=270,
)
def user_activity_anonymise_task(user_id: int) -> None:
    from apps.analytics.services import activity_anonymise_user

    activity_anonymise_user(user_id=user_id)


@shared_task(
    name="analytics.activity_flush", ignore_result=True, time_limit=120, soft_time_limit=100
)
def activity_flush_task() -> int:
    """Write the recorded events waiting in the buffer (beat, every few seconds)."""
    from apps.analytics.recording import activity_flush

    return activity_flush()
