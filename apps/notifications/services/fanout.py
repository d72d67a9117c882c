"""Writing one notification to the outbox on every channel the user wants it on: email, push
(one message per active device this server can reach; held until the end of the user's quiet
hours at night) and in-app. Each message's key names the kind, channel, recipient and period
(or event), so the same notification is never written twice."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apps.core.outbox.models import NotificationLog
from apps.core.outbox.services import outbox_add
from apps.notifications.kinds import Kind, kind_wanted
from apps.notifications.models import NotificationPreference, UserDevice

Channel = NotificationLog.Channel


def user_zone(preference: NotificationPreference) -> ZoneInfo:
    try:
        return ZoneInfo(preference.timezone or "UTC")
    except (ValueError, KeyError, OSError):
        return ZoneInfo("UTC")


def quiet_hours_end(preference: NotificationPreference, now: datetime) -> datetime | None:
    """When the user's quiet hours end, if ``now`` is inside them (else None)."""
    start, end = preference.quiet_hours_start, preference.quiet_hours_end
    if start == end:
        return None
    local = now.astimezone(user_zone(preference))
    moment = local.time().replace(tzinfo=None)
    if start < end:
        inside, end_day = start <= moment < end, local.date()
    else:  # spans midnight
        inside = moment >= start or moment < end
        end_day = local.date() + timedelta(days=1) if moment >= start else local.date()
    if not inside:
        return None
    return datetime.combine(end_day, end, tzinfo=local.tzinfo)


@dataclass
class Recipient:
    user_id: int
    email: str
    preference: NotificationPreference
    devices: list[UserDevice]


def notification_queue(
    *, recipient: Recipient, kind: Kind, period: str, context: dict, now: datetime
) -> int:
    """Write the notification on each wanted channel; returns how many messages were new."""
    preference, written = recipient.preference, 0
    if recipient.email and kind_wanted(preference, kind, Channel.EMAIL):
        written += (
            outbox_add(
                kind=kind.name,
                channel=Channel.EMAIL,
                key=f"{kind.name}:email:{recipient.user_id}:{period}",
                recipient=recipient.email,
                user_id=recipient.user_id,
                context=context,
            )
            is not None
        )
    if recipient.devices and kind_wanted(preference, kind, Channel.PUSH):
        send_after = quiet_hours_end(preference, now)
        for device in recipient.devices:
            written += (
                outbox_add(
                    kind=kind.name,
                    channel=Channel.PUSH,
                    key=f"{kind.name}:push:{device.pk}:{period}",
                    recipient=device.device_token,
                    user_id=recipient.user_id,
                    context={**context, "device_id": device.pk},
                    send_after=send_after,
                )
                is not None
            )
    if kind_wanted(preference, kind, Channel.IN_APP):
        written += (
            outbox_add(
                kind=kind.name,
                channel=Channel.IN_APP,
                key=f"{kind.name}:in_app:{recipient.user_id}:{period}",
                user_id=recipient.user_id,
                context=context,
            )
            is not None
        )
    return written
