"""What the analytics app listens to (connected in AnalyticsConfig.ready): nothing imports
analytics, so events reach it through signals only."""

from django.db import transaction

from apps.analytics.services import activity_record, user_activity_anonymise


def activity_happened_receiver(
    sender, *, event: str, user_id, movie_id, metadata: dict, source: str, context, **kwargs
) -> None:
    """One activity log row per reported event (apps.core.activity)."""
    activity_record(
        action_type=event,
        user_id=user_id,
        movie_id=movie_id,
        source=source,
        metadata=metadata,
        context=context,
    )


def user_deleted_receiver(sender, instance, **kwargs) -> None:
    """A deleted user's activity is detached once the deletion commits (the seed's ON DELETE SET
    NULL, which no foreign key can do across two databases). Any deletion counts: the account
    API's and the admin's alike."""
    user_id = instance.pk
    transaction.on_commit(lambda: user_activity_anonymise(user_id=user_id), robust=True)
