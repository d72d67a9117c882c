"""Creating accounts."""

from django.db import IntegrityError, transaction

from apps.accounts.emails import verification_email_queue
from apps.accounts.identity import identity_clean
from apps.accounts.models import Profile, User
from apps.accounts.services.common import (
    USERNAME_TAKEN,
    email_clean,
    password_validate,
    taken_error,
    taken_fields,
)


def user_register(
    *,
    username: str,
    email: str,
    password: str,
    user_fields: dict | None = None,
    profile_fields: dict | None = None,
) -> User:
    """Create a user and its profile in one transaction, with the verification email in
    the outbox (sent after commit).

    Both are normalised first (apps.accounts.identity). A username or email already taken
    (folded: without regard to case or compatibility forms), or a username that looks like a
    taken one, is a 400 naming the field, also when a concurrent registration wins the race to
    the unique constraints.
    """
    username, email = identity_clean(username), email_clean(email)
    errors = taken_fields(username=username, email=email)
    if errors:
        raise taken_error(errors)
    user = User(username=username, email=email, **(user_fields or {}))
    password_validate(password=password, user=user, field="password")
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
            Profile.objects.create(user=user, **(profile_fields or {}))
            # In the same transaction: the email is sent if and only if the account exists.
            verification_email_queue(user=user)
    except IntegrityError as exc:
        errors = taken_fields(username=username, email=email) or {"username": [USERNAME_TAKEN]}
        raise taken_error(errors) from exc
    return user
