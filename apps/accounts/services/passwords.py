"""Changing and resetting passwords."""

import hashlib

from django.db import transaction
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode

from apps.accounts.emails import password_reset_email_queue
from apps.accounts.identity import identity_fold
from apps.accounts.login_guard import login_attempt_begin
from apps.accounts.models import User
from apps.accounts.services.common import cooldown_wait, password_set, password_validate
from apps.accounts.tokens import password_reset_tokens, token_pair_for
from apps.core.context import request_context
from apps.core.exceptions import InvalidInput

RESET_LINK_INVALID = "The reset link is invalid or has expired."
RESET_MAIL_COOLDOWN = 60


def password_change(*, user: User, old_password: str, new_password: str) -> dict[str, str]:
    """Change the password; every token issued before stops working. Returns a new pair for
    the device that made the change. Wrong current passwords count as login failures, so a
    stolen access token cannot be used to guess the password faster than a login could."""
    attempt = login_attempt_begin(
        account=f"user:{user.pk}", client=request_context().client_ip, authenticated=True
    )
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if not locked.check_password(old_password):
            raise InvalidInput(
                "old_password: The current password is wrong.",
                details={"old_password": ["The current password is wrong."]},
            )
        attempt.succeeded()
        if old_password == new_password:
            raise InvalidInput(
                "new_password: The new password must differ from the current one.",
                details={"new_password": ["The new password must differ from the current one."]},
            )
        password_validate(password=new_password, user=locked, field="new_password")
        password_set(user=locked, password=new_password)
        return token_pair_for(locked)


def password_reset_request(*, email: str) -> bool:
    """Queue a reset link for whatever active account has this address; True if queued.

    At most one reset email per address per cooldown, so repeated requests cannot flood an
    inbox. The caller learns nothing: the message is written whether or not an account has
    the address (costing the same), and the account is looked up when it is sent.
    """
    email = email.strip()
    # The folded form, as the look-up: every spelling of one address shares one cooldown.
    address = hashlib.sha256(identity_fold(email).encode()).hexdigest()[:32]
    if cooldown_wait(key=f"accounts:reset_mail:{address}", cooldown=RESET_MAIL_COOLDOWN):
        return False
    with transaction.atomic():
        return password_reset_email_queue(email=email) is not None


def _user_id_from_uid(uid: str) -> int | None:
    try:
        value = force_str(urlsafe_base64_decode(uid))
    except (ValueError, TypeError, UnicodeDecodeError):
        return None
    # At most 18 digits: a bigint primary key, never an out-of-range database error.
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 18 else None


def password_reset_confirm(*, uid: str, token: str, new_password: str) -> None:
    """Set a new password from a reset link. The token is checked against the locked row, so
    a link works once even when two confirmations race."""
    user_id = _user_id_from_uid(uid)
    with transaction.atomic():
        user = (
            User.objects.select_for_update().filter(pk=user_id, is_active=True).first()
            if user_id is not None
            else None
        )
        if user is None or not password_reset_tokens.check_token(user, token):
            raise InvalidInput(RESET_LINK_INVALID, details={"token": [RESET_LINK_INVALID]})
        password_validate(password=new_password, user=user, field="new_password")
        password_set(user=user, password=new_password)
        # The link arrived by email, which proves the address.
        User.objects.filter(pk=user.pk, email_verified_at__isnull=True).update(
            email_verified_at=timezone.now()
        )
