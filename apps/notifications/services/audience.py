"""Who gets a notification: users with preferences (made for those without), in batches, with
their active devices that this server can push to."""

from collections.abc import Iterator

from django.db.models import Q, QuerySet

from apps.notifications.models import NotificationPreference, UserDevice
from apps.notifications.services.fanout import Recipient
from apps.notifications.services.preferences import preferences_ensure
from apps.notifications.services.push import device_types_reachable

BATCH = 500


def preferences_wanting(*flags: str, usernames: list[str] | None = None) -> QuerySet:
    """Preferences of active users with any of ``flags`` on, with the user, by user id."""
    preferences_ensure()
    wanted = Q()
    for flag in flags:
        wanted |= Q(**{flag: True})
    rows = (
        NotificationPreference.objects.filter(wanted, user__is_active=True)
        .select_related("user")
        .only(
            *(f.name for f in NotificationPreference._meta.concrete_fields),
            "user__id",
            "user__email",
            "user__username",
            "user__is_active",
        )
        .order_by("user_id")
    )
    if usernames:
        rows = rows.filter(user__username__in=usernames)
    return rows


def batches(rows: QuerySet, size: int = BATCH) -> Iterator[list[NotificationPreference]]:
    """``rows`` in batches by user id (keyset pagination: no OFFSET scans)."""
    last = 0
    while True:
        batch = list(rows.filter(user_id__gt=last)[:size])
        if not batch:
            return
        yield batch
        last = batch[-1].user_id


def recipients(batch: list[NotificationPreference], *, push: bool) -> list[Recipient]:
    """Recipients of a batch; devices only if ``push`` (one query for the batch)."""
    devices: dict[int, list[UserDevice]] = {}
    types = device_types_reachable() if push else []
    if types:
        for device in UserDevice.objects.filter(
            user_id__in=[p.user_id for p in batch], is_active=True, device_type__in=types
        ).only("id", "user_id", "device_token", "device_type"):
            devices.setdefault(device.user_id, []).append(device)
    result = []
    for preference in batch:
        preference.user._notification_preference = preference
        result.append(
            Recipient(
                user_id=preference.user_id,
                email=preference.user.email,
                preference=preference,
                devices=devices.get(preference.user_id, []),
            )
        )
    return result
