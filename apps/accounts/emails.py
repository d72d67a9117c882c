"""Account emails (verification, password reset) through the outbox (apps.core.outbox).

The services write a message in the transaction of the event (``verification_email_queue``,
``password_reset_email_queue``); the renderers below make the token and fill the templates when
the message is sent, so a link's lifetime starts when it leaves, and the token itself is never
stored (the log keeps the text with it redacted). Templates are files under
``templates/accounts/email/``; the text part is rendered without HTML escaping.
"""

import uuid

from django.conf import settings
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from apps.accounts.identity import identity_fold
from apps.accounts.models import User
from apps.accounts.tokens import (
    email_verification_max_age,
    email_verification_token_make,
    password_reset_max_age,
    password_reset_tokens,
)
from apps.core.outbox.models import NotificationLog
from apps.core.outbox.registry import Rendered, kind_renderer
from apps.core.outbox.rendering import parts_from_files
from apps.core.outbox.services import outbox_add

VERIFY_EMAIL = "verify_email"
PASSWORD_RESET = "password_reset"  # noqa: S105 - a kind of message, not a secret


def _context(**values) -> dict:
    return {"site_name": "Movie Nexus", "frontend_url": settings.FRONTEND_URL, **values}


def verification_email_queue(*, user: User) -> NotificationLog | None:
    """Queue a verification email to the user's current address (sent after commit)."""
    return outbox_add(
        kind=VERIFY_EMAIL,
        channel=NotificationLog.Channel.EMAIL,
        key=f"{VERIFY_EMAIL}:{user.pk}:{uuid.uuid4().hex}",
        recipient=user.email,
        user_id=user.pk,
    )


def password_reset_email_queue(*, email: str) -> NotificationLog | None:
    """Queue a reset email for whatever active account has this address. The account is
    looked up when the message is sent, so the request costs the same whether one exists."""
    return outbox_add(
        kind=PASSWORD_RESET,
        channel=NotificationLog.Channel.EMAIL,
        key=f"{PASSWORD_RESET}:{uuid.uuid4().hex}",
        recipient=email,
    )


@kind_renderer(VERIFY_EMAIL)
def verification_email_render(log: NotificationLog) -> Rendered | None:
    """The verification email, or None when there is nothing to verify any more (the user is
    gone or verified, or the address changed since: the new address got its own email)."""
    user = User.objects.filter(pk=log.user_id, is_active=True).first()
    if user is None or user.email_verified_at is not None:
        return None
    if identity_fold(user.email) != identity_fold(log.recipient):
        return None
    token = email_verification_token_make(user)
    subject, text, html = parts_from_files(
        base="accounts/email/verify_email",
        context=_context(
            user=user,
            token=token,
            verify_url=f"{settings.FRONTEND_URL}/verify-email?token={token}",
            valid_hours=email_verification_max_age() // 3600,
        ),
    )
    return Rendered(subject=subject, text=text, html=html, secrets=[token], recipient=user.email)


@kind_renderer(PASSWORD_RESET)
def password_reset_email_render(log: NotificationLog) -> Rendered | None:
    """The reset email for the active account with the requested address, or None (and the
    typed address forgotten) when there is none."""
    user = next(
        (
            candidate
            for candidate in User.objects.filter(
                email_key=identity_fold(log.recipient), is_active=True
            )
            if candidate.has_usable_password()
        ),
        None,
    )
    if user is None:
        NotificationLog.objects.filter(pk=log.pk).update(recipient="")
        return None
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = password_reset_tokens.make_token(user)
    subject, text, html = parts_from_files(
        base="accounts/email/password_reset",
        context=_context(
            user=user,
            uid=uid,
            token=token,
            reset_url=f"{settings.FRONTEND_URL}/reset-password?uid={uid}&token={token}",
            valid_minutes=password_reset_max_age() // 60,
        ),
    )
    return Rendered(
        subject=subject,
        text=text,
        html=html,
        secrets=[token],
        recipient=user.email,
        user_id=user.pk,
    )
