"""Recommendation, new release and trending alerts: each respects its flag per channel, comes
at most once (a day, or per movie), and push waits for the end of the user's quiet hours."""

import datetime as dt
from datetime import UTC, datetime, time, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from apps.accounts.models import Profile, UserFavoriteGenre
from apps.accounts.tests.factories import UserFactory
from apps.catalog.tests.factories import GenreFactory, MovieFactory
from apps.core.outbox.models import NotificationLog
from apps.interactions.models import Interaction
from apps.notifications.models import NotificationPreference, UserDevice
from apps.notifications.services.alerts import alerts_send
from apps.notifications.services.fanout import quiet_hours_end
from apps.notifications.tests.helpers import recommend

pytestmark = pytest.mark.django_db


def messages(kind):
    return sorted(
        NotificationLog.objects.filter(kind=kind).values_list("notification_type", flat=True)
    )


def test_a_recommendation_alert_comes_at_most_once_a_day(django_capture_on_commit_callbacks):
    # Noon UTC (the user's zone): "a day" is the user's local day, and five minutes after a
    # time after 23:55 is the next day, where a second alert is due (the test failed so).
    now = timezone.now().replace(hour=12, minute=0, second=0, microsecond=0)
    user = UserFactory()
    recommend(user, MovieFactory(title="Alien"), score=0.9, generated_at=now)

    with django_capture_on_commit_callbacks(execute=True):
        alerts_send(kinds=["recommendation"], now=now)
        recommend(
            user,
            MovieFactory(title="Heat"),
            rank=2,
            score=0.8,
            generated_at=now + timedelta(minutes=1),
        )
        alerts_send(kinds=["recommendation"], now=now + timedelta(minutes=5))

    assert messages("recommendation_alert") == ["email", "in_app"]
    assert [m.subject for m in mail.outbox] == ["We think you will like Alien"]

    # The next day brings the next movie, not the same one again.
    with django_capture_on_commit_callbacks(execute=True):
        alerts_send(kinds=["recommendation"], now=now + timedelta(days=1))
    assert [m.subject for m in mail.outbox][1:] == ["We think you will like Heat"]


def test_a_recommendation_below_the_threshold_or_old_is_no_alert(settings):
    settings.NOTIFICATIONS_RECOMMENDATION_ALERT_MIN_SCORE = 0.5
    low = UserFactory()
    recommend(low, score=0.3)
    old = UserFactory()
    recommend(old, score=0.9, generated_at=timezone.now() - timedelta(days=3))

    alerts_send(kinds=["recommendation"])
    assert not NotificationLog.objects.exists()

    alerts_send(kinds=["recommendation"], anytime=True)  # --now: old ones count too
    assert set(NotificationLog.objects.values_list("user_id", flat=True)) == {old.pk}


def test_each_channel_follows_its_own_flag(settings):
    settings.VAPID_PRIVATE_KEY, settings.VAPID_SUBJECT = "key", "mailto:a@example.com"
    email_only = UserFactory()
    NotificationPreference.objects.filter(user=email_only).update(push_recommendations=False)
    push_only = UserFactory()
    NotificationPreference.objects.filter(user=push_only).update(recommendation_alerts=False)
    neither = UserFactory()
    NotificationPreference.objects.filter(user=neither).update(
        recommendation_alerts=False, push_recommendations=False
    )
    for user in (email_only, push_only, neither):
        recommend(user, score=0.9)
        UserDevice.objects.create(user=user, device_type="web", device_token=f"tok-{user.pk}")

    alerts_send(kinds=["recommendation"])

    def channels(user):
        return sorted(
            NotificationLog.objects.filter(user=user).values_list("notification_type", flat=True)
        )

    assert channels(email_only) == ["email", "in_app"]
    assert channels(push_only) == ["in_app", "push"]
    assert channels(neither) == []


def test_push_at_night_waits_for_the_end_of_the_quiet_hours(settings):
    settings.VAPID_PRIVATE_KEY, settings.VAPID_SUBJECT = "key", "mailto:a@example.com"
    user = UserFactory()
    NotificationPreference.objects.filter(user=user).update(timezone="Asia/Tokyo")
    UserDevice.objects.create(user=user, device_type="web", device_token="tok")
    recommend(user, score=0.9)
    night_in_tokyo = datetime(2026, 12, 1, 15, 30, tzinfo=UTC)  # 00:30 there

    alerts_send(kinds=["recommendation"], now=night_in_tokyo)

    push = NotificationLog.objects.get(notification_type="push")
    assert push.status == "pending"
    assert push.next_attempt_at == datetime(2026, 12, 1, 23, 0, tzinfo=UTC)  # 08:00 there
    email = NotificationLog.objects.get(notification_type="email")
    assert email.next_attempt_at <= timezone.now()  # email is not held back


@pytest.mark.parametrize(
    ("start", "end", "local", "expected"),
    [
        (time(22), time(8), "23:30", "2026-12-02 08:00"),
        (time(22), time(8), "07:59", "2026-12-01 08:00"),
        (time(22), time(8), "08:00", None),
        (time(22), time(8), "21:59", None),
        (time(1), time(6), "03:00", "2026-12-01 06:00"),
        (time(1), time(6), "06:30", None),
        (time(0), time(0), "03:00", None),
    ],
)
def test_quiet_hours(start, end, local, expected):
    preference = NotificationPreference(
        quiet_hours_start=start, quiet_hours_end=end, timezone="UTC"
    )
    hour, minute = (int(part) for part in local.split(":"))
    now = datetime(2026, 12, 1, hour, minute, tzinfo=UTC)

    until = quiet_hours_end(preference, now)

    assert (until.strftime("%Y-%m-%d %H:%M") if until else None) == expected


def test_trending_alerts_are_off_by_default_and_daily_when_on(django_capture_on_commit_callbacks):
    quiet = UserFactory()
    keen = UserFactory()
    NotificationPreference.objects.filter(user=keen).update(trending_alerts=True)
    hot = MovieFactory(title="Hot")
    for fan in (quiet, keen):
        Interaction.objects.create(user=fan, movie=hot, interaction_type="like")

    with django_capture_on_commit_callbacks(execute=True):
        alerts_send(kinds=["trending"])
        alerts_send(kinds=["trending"])

    assert [m.to for m in mail.outbox] == [[keen.email]]
    assert mail.outbox[0].subject == "Trending on Movie Nexus: Hot"


def test_new_release_alerts_for_the_watchlist_and_good_movies_in_favorite_genres(
    django_capture_on_commit_callbacks,
):
    today = timezone.now().date()
    horror = GenreFactory(name="Horror")
    user = UserFactory()
    NotificationPreference.objects.filter(user=user).update(new_release_alerts=True)
    UserFavoriteGenre.objects.create(profile=Profile.objects.get(user=user), genre=horror)
    watched = MovieFactory(title="Waited For", release_date=today)
    Interaction.objects.create(user=user, movie=watched, interaction_type="watchlist")
    good = MovieFactory(title="Good Scare", release_date=today, tmdb_rating=8, genres=[horror])
    MovieFactory(title="Bad Scare", release_date=today, tmdb_rating=4, genres=[horror])
    MovieFactory(
        title="Old Scare",
        release_date=today - dt.timedelta(days=30),
        tmdb_rating=9,
        genres=[horror],
    )

    with django_capture_on_commit_callbacks(execute=True):
        alerts_send(kinds=["new_release"])
        alerts_send(kinds=["new_release"])

    assert sorted(m.subject for m in mail.outbox) == ["Out now: Good Scare", "Out now: Waited For"]
    reasons = {
        log.context["movie"]["id"]: log.context["movie"]["reason"]
        for log in NotificationLog.objects.filter(notification_type="email")
    }
    assert reasons == {watched.pk: "On your watchlist", good.pk: "New in Horror"}
