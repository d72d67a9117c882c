"""Deleting an account."""

import logging

from django.db import transaction

from apps.accounts.models import User
from apps.accounts.services.common import refresh_tokens_revoke
from apps.accounts.tasks import user_activity_anonymise_task
from apps.analytics.services import activity_anonymise_user
from apps.core.tasks import enqueue

logger = logging.getLogger(__name__)


def user_activity_anonymise(*, user_id: int) -> None:
    """Detach the user's analytics rows; if the analytics store fails, retry in the background."""
    try:
        activity_anonymise_user(user_id=user_id)
    except Exception as exc:  # noqa: BLE001 - the account is already gone; retry later
        logger.warning("activity_anonymise_failed", extra={"user_id": user_id, "error": str(exc)})
        enqueue(user_activity_anonymise_task, user_id)


def user_delete(*, user: User) -> None:
    """Delete the account. The profile, favorite genres, interactions, lists and everything
    else the user owns cascade (seed 002); refresh tokens are blacklisted; analytics rows,
    which may live in another database, are anonymised once the deletion has committed."""
    user_id = user.pk
    with transaction.atomic():
        refresh_tokens_revoke(user=user)
        User.objects.get(pk=user_id).delete()
        transaction.on_commit(lambda: user_activity_anonymise(user_id=user_id))
