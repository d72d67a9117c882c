"""apps/accounts/services/verification.py, called directly."""

import pytest
from django.core import mail

from apps.accounts.emails import verification_email_queue
from apps.accounts.exceptions import TooManyAttempts
from apps.accounts.models import User
from apps.accounts.services.verification import (
    email_verification_resend,
    email_verify,
    resend_cooldown_seconds,
)
from apps.accounts.tests.factories import UserFactory
from apps.accounts.tokens import email_verification_token_make
from apps.core.exceptions import Conflict, InvalidInput
from apps.core.outbox.models import NotificationLog

pytestmark = pytest.mark.django_db


def test_resend_cooldown_seconds_comes_from_the_settings(settings):
    settings.ACCOUNTS_EMAIL_RESEND_COOLDOWN = 5

    assert resend_cooldown_seconds() == 5


def test_the_verification_email_goes_to_an_unverified_active_user_at_the_queued_address_only(
    django_capture_on_commit_callbacks,
):
    user = UserFactory()
    verified = UserFactory()
    moved = UserFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        for each in (user, verified, moved):
            verification_email_queue(user=each)
    User.objects.filter(pk=verified.pk).update(email_verified_at="2024-01-01T00:00:00Z")
    User.objects.filter(pk=moved.pk).update(email="moved@example.com")

    for callback in callbacks:
        callback()

    assert [message.to for message in mail.outbox] == [[user.email]]
    assert "verify-email?token=" in mail.outbox[0].body
    statuses = dict(
        NotificationLog.objects.filter(kind="verify_email").values_list("user_id", "status")
    )
    assert statuses == {user.pk: "sent", verified.pk: "skipped", moved.pk: "skipped"}


def test_email_verify_marks_the_address_verified_and_refuses_a_stale_address():
    user = UserFactory()
    token = email_verification_token_make(user)

    assert email_verify(token=token).email_verified_at is not None
    assert email_verify(token=token).pk == user.pk  # twice is harmless
    User.objects.filter(pk=user.pk).update(email="changed@example.com")
    with pytest.raises(InvalidInput):
        email_verify(token=token)
    with pytest.raises(InvalidInput):
        email_verify(token="forged")


def test_email_verification_resend_is_limited_per_user_and_refused_once_verified(
    django_capture_on_commit_callbacks,
):
    user = UserFactory()

    with django_capture_on_commit_callbacks(execute=True):
        email_verification_resend(user=user)
    with pytest.raises(TooManyAttempts):
        email_verification_resend(user=user)
    user.email_verified_at = "2024-01-01T00:00:00Z"
    with pytest.raises(Conflict):
        email_verification_resend(user=user)

    assert len(mail.outbox) == 1
