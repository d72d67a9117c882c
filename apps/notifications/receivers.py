"""Every new user gets default notification preferences, in the transaction that creates the
account (Django's own post_save of the user model: accounts does not know this app)."""

from django.contrib.auth import get_user_model
from django.db.models.signals import post_save
from django.dispatch import receiver

from apps.notifications.models import NotificationPreference


@receiver(post_save, sender=get_user_model(), dispatch_uid="notification_preferences_default")
def preferences_default(sender, instance, created, raw=False, **kwargs) -> None:
    if created and not raw:
        NotificationPreference.objects.get_or_create(user=instance)
