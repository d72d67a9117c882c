"""Reactions to other apps' signals (connected in RecommendationsConfig.ready)."""

from apps.recommendations.services import recommendations_mark_stale


def interaction_changed_receiver(sender, *, user_id: int, **kwargs) -> None:
    """Any interaction change makes the user's lists stale and schedules their refresh.

    The signal is sent after commit with send_robust, so a failure here is logged by Django
    and never fails the write that caused it.
    """
    recommendations_mark_stale(user_id=user_id)


def favorite_genres_changed_receiver(sender, *, user_id: int, **kwargs) -> None:
    """Favorite genres shape cold-start lists and lift matching movies in the hybrid engine."""
    recommendations_mark_stale(user_id=user_id)
