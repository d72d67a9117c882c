from datetime import datetime, timedelta

import pytest
from django.core import mail

from apps.accounts.tests.factories import UserFactory
from apps.accounts.tests.helpers import (  # noqa: F401 - mid_login_window is a fixture
    NEW_PASSWORD,
    PASSWORD,
    bearer,
    last_mail_token,
    login,
    mid_login_window,
)
from apps.accounts.tokens import password_reset_tokens, token_pair_for

pytestmark = pytest.mark.django_db
CHANGE = "/api/v1/auth/password/change/"
RESET = "/api/v1/auth/password/reset/"
CONFIRM = "/api/v1/auth/password/reset/confirm/"
REFRESH = "/api/v1/auth/token/refresh/"
ME = "/api/v1/me/"


@pytest.fixture
def member(db):
    return UserFactory(username="member", email="member@example.com")


def change(client, old=PASSWORD, new=NEW_PASSWORD):
    return client.post(CHANGE, {"old_password": old, "new_password": new})


def test_password_change_needs_authentication(api_client):
    assert change(api_client).status_code == 401


def test_password_change_with_a_wrong_current_password_is_a_400(api_client, member):
    response = change(bearer(api_client, token_pair_for(member)["access"]), old="wrong")

    assert response.status_code == 400
    assert "old_password" in response.json()["error"]["details"]


def test_password_change_applies_the_password_validators(api_client, member):
    response = change(bearer(api_client, token_pair_for(member)["access"]), new="member")

    assert response.status_code == 400
    assert "new_password" in response.json()["error"]["details"]


def test_password_change_signs_out_every_earlier_token(api_client, member):
    this_device = token_pair_for(member)
    other_device = token_pair_for(member)

    response = change(bearer(api_client, this_device["access"]))

    assert response.status_code == 200
    fresh = response.json()["data"]
    member.refresh_from_db()
    assert member.check_password(NEW_PASSWORD)
    for old in (this_device, other_device):
        assert bearer(api_client, old["access"]).get(ME).status_code == 401
        assert api_client.post(REFRESH, {"refresh": old["refresh"]}).status_code == 401
    assert bearer(api_client, fresh["access"]).get(ME).status_code == 200
    assert api_client.post(REFRESH, {"refresh": fresh["refresh"]}).status_code == 200


def test_password_change_then_login_with_the_new_password(api_client, member):
    change(bearer(api_client, token_pair_for(member)["access"]))
    api_client.credentials()

    assert login(api_client, "member", PASSWORD).status_code == 401
    assert login(api_client, "member", NEW_PASSWORD).status_code == 200


def _request_reset(client, email, capture):
    with capture(execute=True):
        return client.post(RESET, {"email": email})


def test_password_reset_answers_the_same_whether_or_not_the_email_exists(
    api_client, member, django_capture_on_commit_callbacks
):
    known = _request_reset(api_client, "member@example.com", django_capture_on_commit_callbacks)
    unknown = _request_reset(api_client, "nobody@example.com", django_capture_on_commit_callbacks)

    assert known.status_code == unknown.status_code == 200
    assert known.json() == unknown.json()
    assert [message.to for message in mail.outbox] == [["member@example.com"]]


def test_password_reset_sends_nothing_to_an_inactive_account(
    api_client, member, django_capture_on_commit_callbacks
):
    member.is_active = False
    member.save()

    response = _request_reset(api_client, "member@example.com", django_capture_on_commit_callbacks)

    assert response.status_code == 200
    assert mail.outbox == []


def test_password_reset_with_an_invalid_email_is_a_400(api_client):
    response = api_client.post(RESET, {"email": "nope"})

    assert response.status_code == 400
    assert "email" in response.json()["error"]["details"]


def _reset_link(client, capture):
    _request_reset(client, "Member@Example.com", capture)
    return last_mail_token(r"uid=([\w-]+)"), last_mail_token(r"token=([\w-]+)")


def test_password_reset_confirm_sets_the_password_and_signs_out_sessions(
    api_client, member, django_capture_on_commit_callbacks
):
    session = token_pair_for(member)
    uid, token = _reset_link(api_client, django_capture_on_commit_callbacks)
    assert mail.outbox[-1].alternatives[0][1] == "text/html"

    response = api_client.post(CONFIRM, {"uid": uid, "token": token, "new_password": NEW_PASSWORD})

    assert response.status_code == 200
    assert login(api_client, "member", NEW_PASSWORD).status_code == 200
    assert api_client.post(REFRESH, {"refresh": session["refresh"]}).status_code == 401
    member.refresh_from_db()
    assert member.email_verified_at is not None


def test_a_reset_link_works_only_once(api_client, member, django_capture_on_commit_callbacks):
    uid, token = _reset_link(api_client, django_capture_on_commit_callbacks)
    api_client.post(CONFIRM, {"uid": uid, "token": token, "new_password": NEW_PASSWORD})

    response = api_client.post(
        CONFIRM, {"uid": uid, "token": token, "new_password": "another-long-passphrase-9"}
    )

    assert response.status_code == 400
    assert "token" in response.json()["error"]["details"]


def test_an_expired_reset_link_is_refused(
    api_client, member, django_capture_on_commit_callbacks, monkeypatch
):
    uid, token = _reset_link(api_client, django_capture_on_commit_callbacks)
    monkeypatch.setattr(
        password_reset_tokens, "_now", lambda: datetime.now() + timedelta(minutes=61)
    )

    response = api_client.post(CONFIRM, {"uid": uid, "token": token, "new_password": NEW_PASSWORD})

    assert response.status_code == 400
    member.refresh_from_db()
    assert member.check_password(PASSWORD)


@pytest.mark.parametrize(
    ("uid", "token"),
    [
        ("tampered", "tampered"),
        ("", "x"),
        ("OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5", "abc-def"),
        ("!!!", "abc-def"),
    ],
)
def test_a_forged_reset_link_is_a_400_not_a_500(api_client, member, uid, token):
    response = api_client.post(CONFIRM, {"uid": uid, "token": token, "new_password": NEW_PASSWORD})

    assert response.status_code == 400
    member.refresh_from_db()
    assert member.check_password(PASSWORD)


def test_a_reset_token_of_one_user_does_not_open_another_account(
    api_client, member, django_capture_on_commit_callbacks
):
    other = UserFactory()
    _uid, token = _reset_link(api_client, django_capture_on_commit_callbacks)
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    other_uid = urlsafe_base64_encode(force_bytes(other.pk))
    response = api_client.post(
        CONFIRM, {"uid": other_uid, "token": token, "new_password": NEW_PASSWORD}
    )

    assert response.status_code == 400


def test_reset_confirm_applies_the_password_validators(
    api_client, member, django_capture_on_commit_callbacks
):
    uid, token = _reset_link(api_client, django_capture_on_commit_callbacks)

    response = api_client.post(CONFIRM, {"uid": uid, "token": token, "new_password": "123"})

    assert response.status_code == 400
    assert "new_password" in response.json()["error"]["details"]


def test_repeated_reset_requests_send_one_email_per_minute_and_answer_alike(
    api_client, member, django_capture_on_commit_callbacks
):
    first = _request_reset(api_client, "member@example.com", django_capture_on_commit_callbacks)
    second = _request_reset(api_client, "MEMBER@example.com", django_capture_on_commit_callbacks)

    assert first.json() == second.json()
    assert len(mail.outbox) == 1


def test_an_account_without_a_usable_password_cannot_log_in(api_client, member):
    member.set_unusable_password()
    member.save()

    assert login(api_client, "member", "").status_code == 400
    assert login(api_client, "member", "anything-at-all").status_code == 401


@pytest.mark.usefixtures("mid_login_window")
def test_guessing_the_current_password_through_password_change_is_throttled(api_client, member):
    client = bearer(api_client, token_pair_for(member)["access"])
    for _ in range(5):
        assert change(client, old="guess").status_code == 400

    response = change(client)

    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    member.refresh_from_db()
    assert member.check_password(PASSWORD)
