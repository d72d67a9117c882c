"""The weekly digest: due at the user's day and time in their timezone, once per user and week,
read back from a real SMTP server with its links, headers, pixel and unsubscribe."""

import re
import threading
from datetime import UTC, datetime, time

import pytest
from django.core import mail
from django.db import connection

from apps.accounts.tests.factories import UserFactory
from apps.catalog.tests.factories import MovieFactory
from apps.core.outbox.models import NotificationLog
from apps.core.testing import email_parts, postgres_only
from apps.notifications.models import NotificationPreference
from apps.notifications.services.digests import digest_due, digests_send
from apps.notifications.tests.helpers import recommend

pytestmark = pytest.mark.django_db

# Monday 2026-11-30.
MONDAY_0700_UTC = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)


def preference(user, **fields) -> NotificationPreference:
    NotificationPreference.objects.filter(user=user).update(**fields)
    return NotificationPreference.objects.get(user=user)


@pytest.mark.parametrize(
    ("zone", "day", "at", "due"),
    [
        ("UTC", 1, time(9, 0), False),  # 07:00 in London: not yet 09:00
        ("UTC", 1, time(7, 0), True),
        ("Asia/Tokyo", 1, time(9, 0), True),  # 16:00 there
        ("America/New_York", 1, time(1, 0), True),  # 02:00 there
        ("America/New_York", 1, time(3, 0), False),
        ("Asia/Tokyo", 2, time(9, 0), False),  # Tuesday
        ("Pacific/Kiritimati", 2, time(9, 0), False),  # UTC+14: Monday 21:00 there
        ("Pacific/Kiritimati", 1, time(20, 0), True),
    ],
)
def test_the_digest_is_due_at_the_users_day_and_time_in_their_timezone(zone, day, at, due):
    user = UserFactory()
    prefs = preference(user, timezone=zone, digest_day=day, digest_time=at)

    assert digest_due(prefs, MONDAY_0700_UTC) is due


def test_a_digest_is_sent_once_per_user_and_week(django_capture_on_commit_callbacks):
    user = UserFactory()
    recommend(user, MovieFactory(title="Alien"))
    preference(user, digest_time=time(6, 0))

    with django_capture_on_commit_callbacks(execute=True):
        first = digests_send(now=MONDAY_0700_UTC)
        second = digests_send(now=MONDAY_0700_UTC.replace(hour=20))
        forced = digests_send(now=MONDAY_0700_UTC, force=True)

    assert (first["queued"], second["queued"], forced["queued"]) == (1, 0, 0)
    assert second["already"] == 1 and forced["already"] == 1
    assert [m.to for m in mail.outbox] == [[user.email]]
    kinds = NotificationLog.objects.filter(kind="weekly_digest")
    assert sorted(kinds.values_list("notification_type", "status")) == [
        ("email", "sent"),
        ("in_app", "delivered"),
    ]


def test_the_next_week_gets_its_own_digest(django_capture_on_commit_callbacks):
    user = UserFactory()
    recommend(user)
    preference(user, digest_time=time(6, 0))

    with django_capture_on_commit_callbacks(execute=True):
        digests_send(now=MONDAY_0700_UTC)
        digests_send(now=MONDAY_0700_UTC.replace(day=7))

    assert len(mail.outbox) == 2


def test_no_digest_for_a_user_who_turned_it_off_or_is_not_due(django_capture_on_commit_callbacks):
    off = UserFactory()
    recommend(off)
    preference(off, weekly_digest=False, digest_time=time(6, 0))
    later = UserFactory()
    recommend(later)
    preference(later, digest_day=3)

    with django_capture_on_commit_callbacks(execute=True):
        digests_send(now=MONDAY_0700_UTC)

    assert mail.outbox == []
    assert not NotificationLog.objects.filter(kind="weekly_digest").exists()


def test_the_digest_email_read_back_from_smtp_has_both_parts_tracking_and_unsubscribe(
    smtp, settings, api_client, django_capture_on_commit_callbacks
):
    settings.FRONTEND_URL = "https://app.example.com"
    settings.PUBLIC_URL = "https://api.example.com"
    user = UserFactory(username="ripley")
    alien = MovieFactory(title="Alien & Co", release_date=None, release_year=1979)
    recommend(user, alien, reason="Because you liked Aliens")

    with django_capture_on_commit_callbacks(execute=True):
        digests_send(now=MONDAY_0700_UTC, force=True)

    assert len(smtp.messages) == 1
    message = smtp.messages[0]
    text, html = email_parts(message)
    assert message["To"] == user.email
    assert message["Subject"] == "Your week on Movie Nexus: Alien & Co and more"
    assert message.get_content_type() == "multipart/alternative"
    assert "- Alien & Co (1979): Because you liked Aliens" in text
    assert "Alien &amp; Co" in html and "&amp;" not in text
    unsubscribe = re.search(
        r"^<(https://api\.example\.com/\S+)>$", message["List-Unsubscribe"].strip()
    ).group(1)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"Stop these emails: {unsubscribe}" in text
    click = re.search(
        r"^  (https://api\.example\.com/api/v1/notifications/click/\S+/)$", text, re.M
    ).group(1)
    pixel = re.search(
        r'<img src="(https://api\.example\.com/api/v1/notifications/open/[^"]+/)"', html
    ).group(1)
    log = NotificationLog.objects.get(kind="weekly_digest", notification_type="email")
    assert log.template_name == "Weekly digest (email)"

    # The pixel marks it opened, the click clicked and redirects to the movie's page.
    assert api_client.get(pixel.removeprefix("https://api.example.com")).status_code == 200
    log.refresh_from_db()
    assert (log.status, log.opened_at is not None) == ("opened", True)
    response = api_client.get(click.removeprefix("https://api.example.com"))
    assert response.status_code == 302
    assert response["Location"] == f"https://app.example.com/movies/{alien.pk}"
    log.refresh_from_db()
    assert (log.status, log.clicked_at is not None) == ("clicked", True)

    # One-click unsubscribe (RFC 8058) turns the digest off; the next week sends nothing.
    path = unsubscribe.removeprefix("https://api.example.com")
    assert api_client.get(path).status_code == 200
    assert NotificationPreference.objects.get(user=user).weekly_digest is True
    response = api_client.post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert NotificationPreference.objects.get(user=user).weekly_digest is False
    with django_capture_on_commit_callbacks(execute=True):
        digests_send(now=MONDAY_0700_UTC.replace(day=7), force=True)
    assert len(smtp.messages) == 1


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_send_digests_at_once_send_once_per_user_and_week():
    users = [UserFactory() for _ in range(12)]
    for user in users:
        recommend(user)
    barrier = threading.Barrier(2)
    errors = []

    def run():
        try:
            barrier.wait()
            digests_send(now=MONDAY_0700_UTC, force=True)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(message.to[0] for message in mail.outbox) == sorted(u.email for u in users)
    emails = NotificationLog.objects.filter(kind="weekly_digest", notification_type="email")
    assert emails.count() == len(users)
    assert set(emails.values_list("status", flat=True)) == {"sent"}
