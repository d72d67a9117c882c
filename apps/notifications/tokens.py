"""Signed, expiring tokens in the links of a message: the open pixel, click redirects and the
unsubscribe link. Each purpose has its own salt, so a token of one purpose (or one signed with
another key, or altered) reads as None everywhere else, and the routes answer 404."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

OPEN_SALT = "notifications.open"
CLICK_SALT = "notifications.click"
UNSUBSCRIBE_SALT = "notifications.unsubscribe"


def _max_age(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def _read(token: str, *, salt: str, max_age: int):
    try:
        return signing.loads(token, salt=salt, max_age=max_age)
    except (signing.BadSignature, ValueError, TypeError, UnicodeError):
        return None


def open_token_make(log_id: int) -> str:
    return signing.dumps(log_id, salt=OPEN_SALT)


def open_token_read(token: str) -> int | None:
    value = _read(
        token, salt=OPEN_SALT, max_age=_max_age("NOTIFICATIONS_LINK_MAX_AGE", 180 * 86400)
    )
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def click_token_make(log_id: int, url: str) -> str:
    return signing.dumps([log_id, url], salt=CLICK_SALT, compress=True)


def click_token_read(token: str) -> tuple[int, str] | None:
    value = _read(
        token, salt=CLICK_SALT, max_age=_max_age("NOTIFICATIONS_LINK_MAX_AGE", 180 * 86400)
    )
    if (
        isinstance(value, list)
        and len(value) == 2
        and isinstance(value[0], int)
        and isinstance(value[1], str)
        and value[1].startswith(("https://", "http://"))
    ):
        return value[0], value[1]
    return None


def unsubscribe_token_make(*, user_id: int, kind: str, channel: str) -> str:
    return signing.dumps([user_id, kind, channel], salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_token_read(token: str) -> tuple[int, str, str] | None:
    value = _read(
        token,
        salt=UNSUBSCRIBE_SALT,
        max_age=_max_age("NOTIFICATIONS_UNSUBSCRIBE_MAX_AGE", 365 * 86400),
    )
    if isinstance(value, list) and len(value) == 3 and isinstance(value[0], int):
        return value[0], str(value[1]), str(value[2])
    return None


def public_link(route: str, token: str) -> str:
    return f"{settings.PUBLIC_URL}{reverse(route, args=[token])}"


def open_url(log_id: int) -> str:
    return public_link("notifications-open", open_token_make(log_id))


def click_url(log_id: int, url: str) -> str:
    return public_link("notifications-click", click_token_make(log_id, url))


def unsubscribe_url(*, user_id: int, kind: str, channel: str) -> str:
    return public_link(
        "notifications-unsubscribe",
        unsubscribe_token_make(user_id=user_id, kind=kind, channel=channel),
    )
