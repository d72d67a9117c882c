"""Every account email, sent through a real SMTP server (aiosmtpd) and read back: both parts,
links that work from the plain-text part, and no token kept in the log."""

import re

import pytest

from apps.accounts.models import User
from apps.accounts.tests.factories import UserFactory
from apps.accounts.tests.helpers import NEW_PASSWORD, PASSWORD
from apps.core.outbox.models import NotificationLog
from apps.core.testing import email_parts
from conftest import client_for

pytestmark = pytest.mark.django_db


def only_message(smtp):
    assert len(smtp.messages) == 1, [m["Subject"] for m in smtp.messages]
    return smtp.messages[0]


def test_the_reset_email_has_a_working_link_in_its_plain_text_part(
    smtp, api_client, settings, django_capture_on_commit_callbacks
):
    settings.FRONTEND_URL = "https://app.example.com"
    user = UserFactory(email="reader@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post("/api/v1/auth/password/reset/", {"email": user.email})
    assert response.status_code == 200

    message = only_message(smtp)
    text, html = email_parts(message)
    assert message["To"] == "reader@example.com"
    assert message["Subject"] == "Reset your Movie Nexus password"
    assert "&amp;" not in text, text
    link = re.search(r"^(https://app\.example\.com/reset-password\?\S+)$", text, re.M).group(1)
    uid, token = re.fullmatch(r".*\?uid=([^&]+)&token=(\S+)", link).groups()
    # The HTML part escapes the ampersand, as HTML must, and points to the same link.
    assert f'href="https://app.example.com/reset-password?uid={uid}&amp;token={token}"' in html

    confirm = api_client.post(
        "/api/v1/auth/password/reset/confirm/",
        {"uid": uid, "token": token, "new_password": NEW_PASSWORD},
    )
    assert confirm.status_code == 200
    assert User.objects.get(pk=user.pk).check_password(NEW_PASSWORD)
    log = NotificationLog.objects.get(kind="password_reset")
    assert (log.status, log.user_id, log.recipient) == ("sent", user.pk, user.email)
    assert token not in log.content and "[redacted]" in log.content
    assert log.external_id and log.external_id in message["Message-ID"]


def test_the_verification_email_has_a_working_link_in_its_plain_text_part(
    smtp, api_client, settings, django_capture_on_commit_callbacks
):
    settings.FRONTEND_URL = "https://app.example.com"
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            "/api/v1/auth/register/",
            {"username": "obrien", "email": "o'brien&co@example.com", "password": PASSWORD},
        )
    assert response.status_code == 201, response.json()

    message = only_message(smtp)
    text, html = email_parts(message)
    assert message["To"] == "o'brien&co@example.com"
    assert message["Subject"] == "Confirm your email address for Movie Nexus"
    # Plain text is not HTML: names and links arrive as they are.
    assert "that o'brien&co@example.com is your email address" in text
    assert "&amp;" not in text and "&#x27;" not in text
    assert "that o&#x27;brien&amp;co@example.com is your" in html
    token = re.search(r"^https://app\.example\.com/verify-email\?token=(\S+)$", text, re.M).group(1)
    assert f'href="https://app.example.com/verify-email?token={token}"' in html

    assert api_client.post("/api/v1/auth/email/verify/", {"token": token}).status_code == 200
    assert User.objects.get(username="obrien").email_verified_at is not None
    assert token not in NotificationLog.objects.get(kind="verify_email").content


def test_a_changed_address_gets_a_verification_email_at_the_new_address(
    smtp, django_capture_on_commit_callbacks
):
    user = UserFactory(email="before@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(user).patch(
            "/api/v1/me/", {"email": "after@example.com", "current_password": PASSWORD}
        )
    assert response.status_code == 200, response.json()

    message = only_message(smtp)
    text, _ = email_parts(message)
    assert message["To"] == "after@example.com"
    assert "after@example.com is your email address" in text
