"""What drops a logged-in user's cached home page besides the shared page and their
recommendations (apps.feed.personal): a change of their watchlist (the cards' flags) or of
their profile (the streaming section follows its country)."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from apps.accounts.models import Profile
from apps.feed.cache import user_page_invalidate_on_commit
from apps.interactions.models import Interaction, InteractionType
from apps.interactions.signals import interaction_changed


@receiver(interaction_changed, sender=Interaction, dispatch_uid="feed_watchlist_changed")
def watchlist_changed(sender, *, user_id: int, interaction_type: str, **kwargs) -> None:
    # Sent inside the write's transaction: the page is dropped at its commit.
    if interaction_type == InteractionType.WATCHLIST:
        user_page_invalidate_on_commit(user_id)


@receiver(post_save, sender=Profile, dispatch_uid="feed_profile_saved")
def profile_saved(sender, instance: Profile, **kwargs) -> None:
    user_page_invalidate_on_commit(instance.user_id)
