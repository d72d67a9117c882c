"""Verifying the email address with a signed, expiring token sent by email."""

from django.conf import settings
from django.utils import timezone

from apps.accounts.authentication import user_copies_drop
from apps.accounts.emails import verification_email_queue
from apps.accounts.exceptions import TooManyAttempts
from apps.accounts.identity import identity_fold
from apps.accounts.models import User
from apps.accounts.services.common import cooldown_wait
from apps.accounts.tokens import email_verification_token_read
from apps.core.exceptions import Conflict, InvalidInput

TOKEN_INVALID = "The verification link is invalid or has expired."  # noqa: S105 - a message


def resend_cooldown_seconds() -> int:
    return int(getattr(settings, "ACCOUNTS_EMAIL_RESEND_COOLDOWN", 60))


def email_verify(*, token: str) -> User:
    """Mark the address in the token verified. Verifying twice is harmless; a token made
    before the address last changed is refused, also when it was changed back since."""
    payload = email_verification_token_read(token)
    user = None
    if payload is not None:
        user = User.objects.filter(pk=payload["uid"], is_active=True).first()
    if (
        user is None
        or identity_fold(user.email) != payload["email"]
        or user.email_version != payload["ev"]
    ):
        raise InvalidInput(TOKEN_INVALID, details={"token": [TOKEN_INVALID]})
    if user.email_verified_at is None:
        # The version in the filter: an email change committed since the read wins.
        User.objects.filter(
            pk=user.pk, email_version=payload["ev"], email_verified_at__isnull=True
        ).update(email_verified_at=timezone.now())
        # A change without a save: the copies of the row the requests read are dropped here.
        user_copies_drop(user.pk)
        user.refresh_from_db(fields=["email_verified_at"])
    return user


def email_verification_resend(*, user: User) -> None:
    """Send the verification email again, at most once per cooldown per user."""
    if user.email_verified_at is not None:
        raise Conflict("The email address is already verified.")
    wait = cooldown_wait(key=f"accounts:email_resend:{user.pk}", cooldown=resend_cooldown_seconds())
    if wait:
        raise TooManyAttempts(
            f"A verification email was sent recently; try again in {wait} seconds.",
            retry_after=wait,
        )
    verification_email_queue(user=user)
