"""Deleting an account."""

from django.db import transaction

from apps.accounts.models import User
from apps.accounts.services.common import refresh_tokens_revoke


def user_delete(*, user: User) -> None:
    """Delete the account. The profile, favorite genres, interactions, lists and everything
    else the user owns cascade (seed 002); refresh tokens are blacklisted. Analytics rows, which
    may live in another database, are anonymised by the analytics app once the deletion has
    committed (it listens to the user model's post_delete)."""
    with transaction.atomic():
        refresh_tokens_revoke(user=user)
        User.objects.get(pk=user.pk).delete()
