"""What the analytics app listens to (connected in AnalyticsConfig.ready): nothing imports
analytics, so events reach it through signals only. Each event is appended to the buffer
(apps.analytics.recording) and written later, in a batch."""

from django.db import transaction

from apps.analytics.recording import activity_enqueue
from apps.analytics.services import user_activity_anonymise


def activity_happened_receiver(
    sender, *, event: str, user_id, movie_id, metadata: dict, source: str, context, **kwargs
) -> None:
    """One activity log row per reported event (apps.core.activity)."""
    activity_enqueue(
        action_type=event,
        user_id=user_id,
        movie_id=movie_id,
        source=source,
        metadata=metadata,
        context=context,
    )


def recommendations_served_receiver(
    sender, *, user_id, engine: str, experiment: str, arm: str, count: int, **kwargs
) -> None:
    """A list of recommendations shown: one ``recommendation_impression`` event with the engine,
    the experiment arm and the movies shown (click-through is clicks over these)."""
    activity_enqueue(
        action_type="recommendation_impression",
        user_id=user_id,
        metadata={
            "engine": engine,
            "experiment": experiment,
            "arm": arm,
            "count": count,
            "movie_ids": list(kwargs.get("movie_ids") or []),
        },
    )


def user_deleted_receiver(sender, instance, **kwargs) -> None:
    """A deleted user's activity is detached once the deletion commits (the seed's ON DELETE SET
    NULL, which no foreign key can do across two databases). Any deletion counts: the account
    API's and the admin's alike."""
    user_id = instance.pk
    transaction.on_commit(lambda: user_activity_anonymise(user_id=user_id), robust=True)
