"""The kinds of notification this app sends, and which preference flag governs each channel.

In-app messages (the inbox) are written whenever the user wants the kind on some channel.
"""

from dataclasses import dataclass

from apps.notifications.models import NotificationTemplate

Type = NotificationTemplate.Type


@dataclass(frozen=True)
class Kind:
    name: str
    email_flag: str
    push_flag: str | None
    email_template: str
    push_template: str  # also the in-app message's


WEEKLY_DIGEST = Kind(
    "weekly_digest", "weekly_digest", None, Type.EMAIL_WEEKLY_DIGEST, Type.PUSH_WEEKLY_DIGEST
)
RECOMMENDATION_ALERT = Kind(
    "recommendation_alert",
    "recommendation_alerts",
    "push_recommendations",
    Type.EMAIL_RECOMMENDATION,
    Type.PUSH_RECOMMENDATION,
)
NEW_RELEASE_ALERT = Kind(
    "new_release_alert",
    "new_release_alerts",
    "push_new_releases",
    Type.EMAIL_NEW_RELEASE,
    Type.PUSH_NEW_RELEASE,
)
TRENDING_ALERT = Kind(
    "trending_alert", "trending_alerts", "push_trending", Type.EMAIL_TRENDING, Type.PUSH_TRENDING
)
KINDS = {
    kind.name: kind
    for kind in (WEEKLY_DIGEST, RECOMMENDATION_ALERT, NEW_RELEASE_ALERT, TRENDING_ALERT)
}
ALERT_KINDS = {
    "recommendation": RECOMMENDATION_ALERT,
    "new_release": NEW_RELEASE_ALERT,
    "trending": TRENDING_ALERT,
}


def channel_flag(kind: Kind, channel: str) -> str | None:
    """The preference flag that turns ``kind`` on ``channel`` on or off (None: never sent)."""
    if channel == "email":
        return kind.email_flag
    if channel == "push":
        return kind.push_flag
    return None


def kind_wanted(preference, kind: Kind, channel: str) -> bool:
    """Whether the user wants ``kind`` on ``channel``; in-app when wanted on any channel."""
    if channel == "in_app":
        return any(getattr(preference, flag) for flag in (kind.email_flag, kind.push_flag) if flag)
    flag = channel_flag(kind, channel)
    return bool(flag and getattr(preference, flag))
