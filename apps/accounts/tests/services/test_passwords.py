"""apps/accounts/services/passwords.py, called directly."""

import pytest
from django.core import mail
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from apps.accounts.services.passwords import (
    password_change,
    password_reset_confirm,
    password_reset_request,
)
from apps.accounts.tests.factories import UserFactory
from apps.accounts.tests.helpers import NEW_PASSWORD, PASSWORD
from apps.accounts.tokens import password_reset_tokens
from apps.core.exceptions import InvalidInput
from apps.core.outbox.models import NotificationLog

pytestmark = pytest.mark.django_db


def test_password_change_sets_the_new_password_and_returns_a_pair_of_the_new_version():
    user = UserFactory()

    tokens = password_change(user=user, old_password=PASSWORD, new_password=NEW_PASSWORD)

    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert user.token_version == 1
    assert set(tokens) == {"access", "refresh"}


def test_password_change_with_a_wrong_current_password_changes_nothing():
    user = UserFactory()

    with pytest.raises(InvalidInput) as refused:
        password_change(user=user, old_password="wrong", new_password=NEW_PASSWORD)

    assert list(refused.value.details) == ["old_password"]
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_password_reset_request_sends_the_link_only_after_commit(
    django_capture_on_commit_callbacks,
):
    user = UserFactory()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        password_reset_request(email=f"  {user.email.upper()} ")
    assert mail.outbox == []

    for callback in callbacks:
        callback()
    assert [message.to for message in mail.outbox] == [[user.email]]


def test_password_reset_request_mails_active_accounts_once_per_cooldown(
    django_capture_on_commit_callbacks,
):
    user = UserFactory()
    UserFactory(email="gone@example.com", is_active=False)

    with django_capture_on_commit_callbacks(execute=True):
        assert password_reset_request(email=user.email) is True
        assert password_reset_request(email=user.email) is False  # within the cooldown
        assert password_reset_request(email="gone@example.com") is True
        assert password_reset_request(email="nobody@example.com") is True

    assert [message.to for message in mail.outbox] == [[user.email]]
    assert "reset-password?uid=" in mail.outbox[0].body
    logs = NotificationLog.objects.filter(kind="password_reset").order_by("pk")
    assert [(log.status, log.recipient, log.user_id) for log in logs] == [
        ("sent", user.email, user.pk),
        ("skipped", "", None),
        ("skipped", "", None),
    ]


def test_password_reset_confirm_sets_the_password_once_and_proves_the_address():
    user = UserFactory()
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = password_reset_tokens.make_token(user)

    password_reset_confirm(uid=uid, token=token, new_password=NEW_PASSWORD)

    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert user.email_verified_at is not None
    with pytest.raises(InvalidInput):
        password_reset_confirm(uid=uid, token=token, new_password="another-long-passphrase-7")


@pytest.mark.parametrize("uid", ["", "!!", urlsafe_base64_encode(b"9" * 30)])
def test_password_reset_confirm_refuses_a_malformed_uid(uid):
    with pytest.raises(InvalidInput):
        password_reset_confirm(uid=uid, token="1-2", new_password=NEW_PASSWORD)
