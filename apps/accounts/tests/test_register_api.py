import threading

import pytest
from django.core import mail
from django.db import connection
from django.test import override_settings

from apps.accounts.models import Profile, User
from apps.accounts.tests.factories import UserFactory
from apps.core.outbox.models import NotificationLog
from apps.core.testing import postgres_only
from config.settings import base as base_settings

URL = "/api/v1/auth/register/"
pytestmark = pytest.mark.django_db


def body(**overrides):
    return {
        "username": "newbie",
        "email": "newbie@example.com",
        "password": "plum-orchard-velvet-42",
        **overrides,
    }


def test_register_creates_user_and_profile_and_returns_them(
    api_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            URL, body(timezone="Europe/Paris", profile={"country": "France", "bio": "Hi"})
        )

    assert response.status_code == 201
    payload = response.json()
    assert payload["success"] is True
    data = payload["data"]
    assert data["username"] == "newbie"
    assert data["email_verified"] is False
    assert data["profile"]["timezone"] == "Europe/Paris"
    assert data["profile"]["country"] == "France"
    assert "password" not in data
    user = User.objects.get(username="newbie")
    assert user.check_password("plum-orchard-velvet-42")
    assert Profile.objects.filter(user=user, bio="Hi").exists()


def test_register_sends_a_verification_email_with_text_and_html_bodies(
    api_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        api_client.post(URL, body())

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["newbie@example.com"]
    assert "/verify-email?token=" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "Confirm my email address" in html


def test_production_settings_hash_passwords_with_argon2(api_client):
    assert base_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    with override_settings(PASSWORD_HASHERS=base_settings.PASSWORD_HASHERS):
        response = api_client.post(URL, body())
    assert response.status_code == 201
    assert User.objects.get(username="newbie").password.startswith("argon2")


def test_register_ignores_privileged_fields_sent_by_the_client(api_client):
    response = api_client.post(
        URL,
        body(
            is_staff=True,
            is_superuser=True,
            is_active=False,
            is_premium=True,
            date_joined="2000-01-01T00:00:00Z",
            email_verified_at="2000-01-01T00:00:00Z",
            token_version=99,
        ),
    )

    assert response.status_code == 201
    user = User.objects.get(username="newbie")
    assert (user.is_staff, user.is_superuser, user.is_active, user.is_premium) == (
        False,
        False,
        True,
        False,
    )
    assert user.date_joined.year != 2000
    assert user.email_verified_at is None
    assert user.token_version == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [("username", "TAKEN"), ("email", "Taken@Example.com")],
)
def test_register_says_which_field_is_taken_without_regard_to_case(api_client, field, value):
    UserFactory(username="taken", email="taken@example.com")

    response = api_client.post(URL, body(**{field: value}))

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert list(error["details"]) == [field]


def test_register_refuses_a_weak_password_naming_the_field(api_client):
    response = api_client.post(URL, body(password="12345678"))

    assert response.status_code == 400
    assert "password" in response.json()["error"]["details"]
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"username": "x" * 151}, "username"),
        ({"username": "has space"}, "username"),
        ({"username": "a@b"}, "username"),
        ({"password": "p" * 129}, "password"),
        ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
        ({"preferred_language": "english-please"}, "preferred_language"),
        ({"avatar": "javascript:alert(1)"}, "avatar"),
        ({"bio": "b" * 2001}, "bio"),
        ({"country": "c" * 51}, "country"),
        ({"phone_number": "call me maybe"}, "phone_number"),
        ({"date_of_birth": "2999-01-01"}, "date_of_birth"),
        ({"username": "nul\x00byte"}, "username"),
    ],
)
def test_register_refuses_bad_input_with_field_details(api_client, overrides, field):
    response = api_client.post(URL, body(**overrides))

    assert response.status_code == 400
    assert field in response.json()["error"]["details"]
    assert not User.objects.exists()


def test_register_refuses_a_nested_profile_with_an_invalid_time_zone(api_client):
    response = api_client.post(URL, body(profile={"timezone": "Not/AZone"}))

    assert response.status_code == 400
    assert "timezone" in response.json()["error"]["details"]["profile"]


def test_register_answers_malformed_json_with_a_400_in_the_envelope(api_client):
    response = api_client.post(URL, data='{"username": ', content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


def test_register_losing_a_race_to_the_unique_constraint_is_a_400(api_client, monkeypatch):
    """The other registration commits between our check and our insert."""
    from apps.accounts.services import registration

    real_taken_fields = registration.taken_fields
    calls = []

    def taken_after_the_check(**kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            UserFactory(username="newbie", email="other@example.com")
            return {}
        return real_taken_fields(**kwargs)

    monkeypatch.setattr(registration, "taken_fields", taken_after_the_check)

    response = api_client.post(URL, body())

    assert response.status_code == 400
    assert list(response.json()["error"]["details"]) == ["username"]
    assert User.objects.filter(username__iexact="newbie").count() == 1


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_identical_registrations_at_once_make_one_user_and_one_400():
    from rest_framework.test import APIClient

    barrier = threading.Barrier(2)
    statuses = []

    def register():
        try:
            barrier.wait(timeout=5)
            statuses.append(APIClient().post(URL, body(), format="json").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=register) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [201, 400]
    assert User.objects.filter(username="newbie").count() == 1


def test_register_succeeds_when_the_mail_server_fails(
    api_client, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)

    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(URL, body())

    assert response.status_code == 201
    assert any(record.message == "outbox_send_retry" for record in caplog.records)
    log = NotificationLog.objects.get(kind="verify_email", user__username="newbie")
    assert (log.status, log.attempts) == ("pending", 1)
    assert "smtp down" in log.error_message


def test_register_succeeds_when_the_broker_is_down(
    api_client, django_capture_on_commit_callbacks, monkeypatch
):
    from apps.core.outbox.tasks import outbox_send_task

    def broker_down(*args, **kwargs):
        raise OSError("broker unreachable")

    monkeypatch.setattr(outbox_send_task, "apply_async", broker_down)

    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(URL, body())

    assert response.status_code == 201
    assert User.objects.filter(username="newbie").exists()
    assert NotificationLog.objects.get(kind="verify_email").status == "pending"
