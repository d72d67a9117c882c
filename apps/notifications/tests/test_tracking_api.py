"""notifications/open/, click/ and unsubscribe/: signed tokens; a tampered, foreign or expired
one is a 404 and changes nothing; the first open and click are reported as analytics events."""

import time

import pytest
from django.core import signing
from django.dispatch import receiver as connect
from django.utils import timezone

from apps.accounts.tests.factories import UserFactory
from apps.core.activity import activity_happened
from apps.core.outbox.models import NotificationLog
from apps.notifications.models import NotificationPreference
from apps.notifications.tokens import (
    click_token_make,
    open_token_make,
    unsubscribe_token_make,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def events():
    seen = []

    @connect(activity_happened, weak=False, dispatch_uid="test-notification-events")
    def record(sender, event, user_id, metadata, source, **kwargs):
        seen.append((event, user_id, metadata.get("notification_id"), source))

    yield seen
    activity_happened.disconnect(dispatch_uid="test-notification-events")


def sent_log(user, channel="email", key="k1") -> NotificationLog:
    return NotificationLog.objects.create(
        user=user,
        kind="weekly_digest",
        notification_type=channel,
        idempotency_key=key,
        status="sent",
        sent_at=timezone.now(),
        next_attempt_at=timezone.now(),
    )


def test_the_pixel_marks_the_first_open_and_reports_it_once(
    api_client, user, events, django_capture_on_commit_callbacks
):
    log = sent_log(user)
    url = f"/api/v1/notifications/open/{open_token_make(log.pk)}/"

    with django_capture_on_commit_callbacks(execute=True):
        first, second = api_client.get(url), api_client.get(url)

    assert first.status_code == second.status_code == 200
    assert first["Content-Type"] == "image/gif" and first.content.startswith(b"GIF89a")
    log.refresh_from_db()
    assert log.status == "opened" and log.opened_at is not None
    assert events == [("email_open", user.pk, log.pk, "email")]


def test_a_click_redirects_only_to_the_signed_url_and_reports_it_once(
    api_client, user, events, django_capture_on_commit_callbacks
):
    log = sent_log(user)
    token = click_token_make(log.pk, "https://app.example.com/movies/7")

    with django_capture_on_commit_callbacks(execute=True):
        first = api_client.get(f"/api/v1/notifications/click/{token}/?next=https://evil.example")
        api_client.get(f"/api/v1/notifications/click/{token}/")

    assert first.status_code == 302
    assert first["Location"] == "https://app.example.com/movies/7"
    log.refresh_from_db()
    assert log.status == "clicked" and log.clicked_at and log.opened_at
    assert events == [("email_click", user.pk, log.pk, "email")]


def test_a_push_click_is_reported_as_a_push_click(
    api_client, user, events, django_capture_on_commit_callbacks
):
    log = sent_log(user, channel="push")
    token = click_token_make(log.pk, "https://app.example.com/movies/7")

    with django_capture_on_commit_callbacks(execute=True):
        assert api_client.get(f"/api/v1/notifications/click/{token}/").status_code == 302
    assert events == [("push_click", user.pk, log.pk, "push")]


def tampered(token: str) -> str:
    return token[:-2] + ("AA" if not token.endswith("AA") else "BB")


@pytest.mark.parametrize("route", ["open", "click", "unsubscribe"])
def test_tampered_foreign_and_expired_tokens_are_404_and_change_nothing(
    api_client, user, events, route, monkeypatch
):
    log = sent_log(user)
    tokens = {
        "open": open_token_make(log.pk),
        "click": click_token_make(log.pk, "https://app.example.com/movies/1"),
        "unsubscribe": unsubscribe_token_make(
            user_id=user.pk, kind="weekly_digest", channel="email"
        ),
    }
    good = tokens[route]
    foreign = [token for name, token in tokens.items() if name != route]
    forged = signing.dumps(log.pk, salt="notifications.open", key="another-secret-key" * 3)
    bad = [tampered(good), *foreign, forged, "garbage", "a" * 400]

    for token in bad:
        for method in ("get", "post") if route == "unsubscribe" else ("get",):
            response = getattr(api_client, method)(f"/api/v1/notifications/{route}/{token}/")
            assert response.status_code == 404, (token, method)
            assert response.json()["success"] is False

    # A token older than its lifetime is refused too.
    later = time.time() + 400 * 86400
    monkeypatch.setattr(signing.time, "time", lambda: later)
    method = "post" if route == "unsubscribe" else "get"
    assert getattr(api_client, method)(f"/api/v1/notifications/{route}/{good}/").status_code == 404

    log.refresh_from_db()
    assert (log.status, log.opened_at, log.clicked_at) == ("sent", None, None)
    assert NotificationPreference.objects.get(user=user).weekly_digest is True
    assert events == []


def test_a_click_token_for_a_javascript_url_is_refused(api_client, user):
    log = sent_log(user)
    token = click_token_make(log.pk, "javascript:alert(1)")

    assert api_client.get(f"/api/v1/notifications/click/{token}/").status_code == 404


def test_unsubscribe_get_asks_and_post_turns_that_kind_off_on_that_channel_only(api_client):
    user = UserFactory()
    token = unsubscribe_token_make(user_id=user.pk, kind="recommendation_alert", channel="email")
    url = f"/api/v1/notifications/unsubscribe/{token}/"

    page = api_client.get(url)
    assert page.status_code == 200 and b'<form method="post">' in page.content
    assert NotificationPreference.objects.get(user=user).recommendation_alerts is True

    assert api_client.post(url).status_code == 200
    preference = NotificationPreference.objects.get(user=user)
    assert preference.recommendation_alerts is False
    assert preference.push_recommendations is True and preference.weekly_digest is True
