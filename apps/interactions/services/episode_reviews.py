"""Writes of TV episode reviews: one per user and episode, a second submission updates it."""

from django.db import transaction

from apps.core.activity import activity_emit_on_commit
from apps.interactions.models import EpisodeReview
from apps.interactions.selectors import episode_get_visible


@transaction.atomic
def episode_review_submit(
    *, user, episode_id: int, rating: int, review: str = ""
) -> tuple[EpisodeReview, bool]:
    """Create or update the user's review of an episode; returns (review, created).

    ``update_or_create`` locks an existing row and, when two first submissions race, lets the
    unique (episode, user) constraint pick one and updates it with the other. The text is
    stored exactly as given. The moderation flag ``active`` is left as it is.
    """
    episode = episode_get_visible(episode_id=episode_id)
    episode_review, created = EpisodeReview.objects.update_or_create(
        episode=episode, user=user, defaults={"rating": rating, "review": review}
    )
    activity_emit_on_commit(
        event="review_submit",
        user_id=user.pk,
        metadata={"episode_id": episode.pk, "rating": rating, "created": created},
    )
    return episode_review, created
