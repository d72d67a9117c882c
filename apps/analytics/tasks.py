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
    """Write the recorded events and request timings waiting in the buffers (beat, every few
    seconds)."""
    from apps.analytics.recording import activity_flush
    from apps.analytics.timings import timings_flush

    timings_flush()
    return activity_flush()


@shared_task(name="analytics.activity_partitions", ignore_result=True)
def activity_partitions_task() -> list[str]:
    """Create the activity log's partitions ahead (beat, daily)."""
    from apps.analytics.partitions import partitions_ensure

    return partitions_ensure()


@shared_task(name="analytics.aggregate_metrics", ignore_result=True, time_limit=1800)
def aggregate_metrics_task(day: str | None = None) -> None:
    """Yesterday's (UTC) daily figures (beat, nightly), or ``day``'s."""
    from datetime import UTC, date, datetime, timedelta

    from apps.analytics.aggregation import aggregate_day
    from apps.analytics.recording import activity_flush
    from apps.analytics.timings import timings_flush

    activity_flush()
    timings_flush()
    target = date.fromisoformat(day) if day else datetime.now(UTC).date() - timedelta(days=1)
    aggregate_day(target)
