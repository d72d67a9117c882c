"""Helpers shared by the accounts services."""

import time

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import F
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from apps.accounts.identity import identity_clean, identity_fold, username_skeleton
from apps.accounts.login_guard import login_attempt_begin
from apps.accounts.models import User
from apps.core.cache import cache_add, cache_get
from apps.core.context import request_context
from apps.core.exceptions import InvalidInput


def password_validate(*, password: str, user: User, field: str) -> None:
    """Django's password validators, as a 400 naming ``field``."""
    try:
        validate_password(password, user=user)
    except DjangoValidationError as exc:
        raise InvalidInput(
            f"{field}: {exc.messages[0]}", details={field: list(exc.messages)}
        ) from exc


def password_confirm(*, user: User, password: str | None, field: str, message: str) -> None:
    """Check that the caller knows ``user``'s current password before a sensitive change
    (changing the email or the password, deleting the account); a 400 naming ``field`` if not.

    Wrong passwords count as login failures (login_guard), so a stolen access token does not
    allow guessing the password faster than a login would.
    """
    attempt = login_attempt_begin(
        account=f"user:{user.pk}", client=request_context().client_ip, authenticated=True
    )
    if not password or not user.check_password(password):
        raise InvalidInput(message, details={field: [message]})
    attempt.succeeded()


USERNAME_TAKEN = "A user with that username already exists."
USERNAME_LOOKALIKE = "This username looks like an existing one; choose another."
EMAIL_TAKEN = "A user with that email address already exists."


def taken_fields(
    *, username: str | None = None, email: str | None = None, exclude_user_id: int | None = None
) -> dict[str, list[str]]:
    """Which of ``username`` and ``email`` another account holds, compared in their folded
    forms (apps.accounts.identity); a username that only looks like another's is taken too."""
    others = User.objects.all()
    if exclude_user_id is not None:
        others = others.exclude(pk=exclude_user_id)
    errors: dict[str, list[str]] = {}
    if username is not None:
        if others.filter(username_key=identity_fold(username)).exists():
            errors["username"] = [USERNAME_TAKEN]
        elif others.filter(username_skeleton=username_skeleton(username)).exists():
            errors["username"] = [USERNAME_LOOKALIKE]
    if email is not None and others.filter(email_key=identity_fold(email)).exists():
        errors["email"] = [EMAIL_TAKEN]
    return errors


def email_clean(email: str) -> str:
    """The stored form of an email address: NFKC, trimmed, the domain in lower case."""
    return User.objects.normalize_email(identity_clean(email))


def taken_error(errors: dict[str, list[str]]) -> InvalidInput:
    field, messages = next(iter(errors.items()))
    return InvalidInput(f"{field}: {messages[0]}", details=errors)


def refresh_tokens_revoke(*, user: User) -> int:
    """Blacklist every unexpired refresh token issued to ``user``; returns how many."""
    pending = OutstandingToken.objects.filter(
        user=user, expires_at__gt=timezone.now(), blacklistedtoken__isnull=True
    ).values_list("pk", flat=True)
    created = BlacklistedToken.objects.bulk_create(
        [BlacklistedToken(token_id=pk) for pk in pending], ignore_conflicts=True
    )
    return len(created)


def password_set(*, user: User, password: str) -> None:
    """Store a new password and revoke every token issued before it.

    Call inside a transaction holding the user's row lock. Access tokens die through the
    version bump; refresh tokens are blacklisted as well.
    """
    user.set_password(password)
    user.token_version = F("token_version") + 1
    user.save(update_fields=["password", "token_version", "updated_at"])
    user.refresh_from_db(fields=["token_version"])
    refresh_tokens_revoke(user=user)


def cooldown_wait(*, key: str, cooldown: int) -> int:
    """Seconds left on ``key``'s cooldown, starting one if none runs (0 means go ahead).

    ``cache_add`` is atomic, so of two concurrent callers one waits. Without a working cache
    nothing is limited (the helper logs the outage once) rather than everything refused.
    """
    if cache_add(key, time.time() + cooldown, cooldown):
        return 0
    available_at = cache_get(key)
    if not isinstance(available_at, int | float):
        return cooldown
    return max(1, int(available_at - time.time()) + 1)
