"""Notification preferences: one row per user, made with the account (receivers.py), by
migration 0002 for users that existed before, and here for users made in bulk (the MovieLens
import creates users without save signals)."""

from django.db import transaction

from apps.accounts.models import User
from apps.notifications.kinds import KINDS
from apps.notifications.models import NotificationPreference


def preference_for(user) -> NotificationPreference:
    """The user's preferences, made with the defaults if missing."""
    cached = getattr(user, "_notification_preference", None)
    if cached is not None:
        return cached
    preference, _ = NotificationPreference.objects.get_or_create(user_id=user.pk)
    return preference


def preferences_ensure(*, user_ids=None) -> int:
    """Give default preferences to every active user (or those of ``user_ids``) without them;
    returns how many were made. Idempotent and safe to race (conflicts are ignored)."""
    users = User.objects.filter(is_active=True, notification_preference__isnull=True)
    if user_ids is not None:
        users = users.filter(pk__in=list(user_ids))
    missing = list(users.values_list("pk", flat=True))
    NotificationPreference.objects.bulk_create(
        [NotificationPreference(user_id=user_id) for user_id in missing],
        ignore_conflicts=True,
        batch_size=1000,
    )
    return len(missing)


def preference_update(*, user, fields: dict) -> NotificationPreference:
    """Change some of the user's preferences (already validated), under the row's lock."""
    preference_for(user)
    with transaction.atomic():
        preference = NotificationPreference.objects.select_for_update().get(user_id=user.pk)
        for name, value in fields.items():
            setattr(preference, name, value)
        preference.save()
    return preference


def unsubscribe(*, user_id: int, kind: str, channel: str) -> bool:
    """Turn ``kind`` off on ``channel`` for the user (the unsubscribe link); False if the user
    or the kind is unknown."""
    known = KINDS.get(kind)
    flag = None
    if known is not None:
        flag = known.email_flag if channel == "email" else known.push_flag
    if flag is None or not User.objects.filter(pk=user_id).exists():
        return False
    NotificationPreference.objects.get_or_create(user_id=user_id)
    NotificationPreference.objects.filter(user_id=user_id).update(**{flag: False})
    return True
