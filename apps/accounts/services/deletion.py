"""Deleting an account."""

from django.db import transaction

from apps.accounts.models import User
from apps.accounts.services.common import password_confirm, refresh_tokens_revoke

DELETE_NEEDS_PASSWORD = "Deleting the account needs the current password."  # noqa: S105 - a message


def user_delete(*, user: User, current_password: str | None) -> None:
    """Delete the account once the caller has given its current password (an access token
    alone is not enough: it may be stolen). The profile, favorite genres, interactions, lists
    and everything else the user owns cascade (seed 002); refresh tokens are blacklisted.
    Analytics rows, which may live in another database, are anonymised by the analytics app
    once the deletion has committed (it listens to the user model's post_delete)."""
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        password_confirm(
            user=locked,
            password=current_password,
            field="current_password",
            message=DELETE_NEEDS_PASSWORD,
        )
        refresh_tokens_revoke(user=locked)
        locked.delete()
