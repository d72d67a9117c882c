import time

import pytest
from django.core import mail, signing

from apps.accounts.models import User
from apps.accounts.tests.factories import UserFactory
from apps.accounts.tests.helpers import PASSWORD, last_mail_token
from apps.accounts.tokens import EMAIL_VERIFICATION_SALT, email_verification_token_make
from conftest import client_for

pytestmark = pytest.mark.django_db
VERIFY = "/api/v1/auth/email/verify/"
RESEND = "/api/v1/auth/email/resend/"


@pytest.fixture
def member(db):
    return UserFactory(username="member", email="member@example.com")


def test_register_verify_flow_marks_the_email_verified(
    api_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        api_client.post(
            "/api/v1/auth/register/",
            {"username": "fresh", "email": "fresh@example.com", "password": PASSWORD},
        )
    token = last_mail_token(r"verify-email\?token=(\S+)")

    response = api_client.post(VERIFY, {"token": token})

    assert response.status_code == 200
    assert response.json()["data"] == {"email": "fresh@example.com", "email_verified": True}
    assert User.objects.get(username="fresh").email_verified_at is not None


def test_verifying_twice_is_harmless(api_client, member):
    token = email_verification_token_make(member)
    api_client.post(VERIFY, {"token": token})
    first = User.objects.get(pk=member.pk).email_verified_at

    assert api_client.post(VERIFY, {"token": token}).status_code == 200
    assert User.objects.get(pk=member.pk).email_verified_at == first


def test_a_tampered_verification_token_is_refused(api_client, member):
    token = email_verification_token_make(member)
    forged = signing.dumps({"uid": member.pk, "email": "member@example.com"}, salt="other-salt")

    for bad in (token[:-3] + "abc", forged, "garbage"):
        response = api_client.post(VERIFY, {"token": bad})
        assert response.status_code == 400
        assert "token" in response.json()["error"]["details"]
    assert User.objects.get(pk=member.pk).email_verified_at is None


def test_an_expired_verification_token_is_refused(api_client, member, monkeypatch):
    token = email_verification_token_make(member)
    four_days_later = time.time() + 4 * 24 * 3600
    monkeypatch.setattr(signing.time, "time", lambda: four_days_later)

    assert api_client.post(VERIFY, {"token": token}).status_code == 400
    assert User.objects.get(pk=member.pk).email_verified_at is None


def test_a_token_for_an_address_since_changed_is_refused(api_client, member):
    token = email_verification_token_make(member)
    member.email = "new-address@example.com"
    member.save()

    assert api_client.post(VERIFY, {"token": token}).status_code == 400


def test_resend_sends_a_new_verification_email(member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(member).post(RESEND)

    assert response.status_code == 200
    assert mail.outbox[-1].to == ["member@example.com"]


def test_resend_twice_within_the_cooldown_is_429_with_retry_after(member):
    client = client_for(member)
    client.post(RESEND)

    response = client.post(RESEND)

    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 61
    assert response.json()["error"]["code"] == "throttled"


def test_resend_cooldown_is_per_user(member, other_user):
    client_for(member).post(RESEND)

    assert client_for(other_user).post(RESEND).status_code == 200


def test_resend_for_a_verified_address_is_409(member):
    member.email_verified_at = member.date_joined
    member.save()

    assert client_for(member).post(RESEND).status_code == 409


def test_resend_needs_authentication(api_client):
    assert api_client.post(RESEND).status_code == 401


def test_a_token_does_not_come_back_to_life_when_the_address_is_changed_back(api_client, member):
    token = email_verification_token_make(member)
    member.email = "elsewhere@example.com"
    member.save()
    member.email = "member@example.com"
    member.save()

    response = api_client.post(VERIFY, {"token": token})

    assert response.status_code == 400
    assert User.objects.get(pk=member.pk).email_verified_at is None
    fresh = email_verification_token_make(User.objects.get(pk=member.pk))
    assert api_client.post(VERIFY, {"token": fresh}).status_code == 200


def test_changing_the_email_away_and_back_through_the_api_kills_the_old_token(api_client, member):
    token = email_verification_token_make(member)
    client = client_for(member)
    for address in ("elsewhere@example.com", "member@example.com"):
        changed = client.patch(
            "/api/v1/me/", {"email": address, "current_password": PASSWORD}, format="json"
        )
        assert changed.status_code == 200

    assert api_client.post(VERIFY, {"token": token}).status_code == 400


def test_a_case_only_change_of_the_address_keeps_the_token(api_client, member):
    token = email_verification_token_make(member)
    member.email = "Member@Example.com"
    member.save()

    assert api_client.post(VERIFY, {"token": token}).status_code == 200


def test_a_token_made_without_the_change_counter_is_refused(api_client, member):
    legacy = signing.dumps(
        {"uid": member.pk, "email": "member@example.com"}, salt=EMAIL_VERIFICATION_SALT
    )

    assert api_client.post(VERIFY, {"token": legacy}).status_code == 400
