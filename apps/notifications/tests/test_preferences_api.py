"""me/notifications/preferences/: every seed flag, the digest's day, time and timezone; a
default row for every user, new (with the account) or existing (migration 0002)."""

from importlib import import_module

import pytest
from django.apps import apps as django_apps

from apps.accounts.tests.factories import UserFactory
from apps.accounts.tests.helpers import PASSWORD
from apps.notifications.models import NotificationPreference
from apps.notifications.services.preferences import preferences_ensure

pytestmark = pytest.mark.django_db
URL = "/api/v1/me/notifications/preferences/"
SEED_DEFAULTS = {
    "weekly_digest": True,
    "recommendation_alerts": True,
    "trending_alerts": False,
    "new_release_alerts": False,
    "push_recommendations": True,
    "push_trending": False,
    "push_new_releases": False,
    "digest_day": 1,
    "digest_time": "09:00:00",
    "timezone": "UTC",
    "quiet_hours_start": "22:00:00",
    "quiet_hours_end": "08:00:00",
}


def test_a_new_account_gets_the_seed_defaults(api_client, django_assert_num_queries):
    response = api_client.post(
        "/api/v1/auth/register/",
        {"username": "newcomer", "email": "newcomer@example.com", "password": PASSWORD},
    )
    assert response.status_code == 201
    assert NotificationPreference.objects.filter(user__username="newcomer").exists()


def test_get_returns_every_preference(auth_client, django_assert_num_queries):
    auth_client.get(URL)  # the user row is cached by nothing: the count below is per request
    with django_assert_num_queries(2):  # the user, the preferences
        response = auth_client.get(URL)

    assert response.status_code == 200
    data = response.json()["data"]
    assert {key: data[key] for key in SEED_DEFAULTS} == SEED_DEFAULTS


def test_patch_changes_only_what_it_names(auth_client, user):
    response = auth_client.patch(
        URL,
        {"push_trending": True, "digest_day": 7, "digest_time": "18:30", "timezone": "Asia/Tokyo"},
    )

    assert response.status_code == 200, response.json()
    preference = NotificationPreference.objects.get(user=user)
    assert (preference.push_trending, preference.digest_day, str(preference.digest_time)) == (
        True,
        7,
        "18:30:00",
    )
    assert preference.timezone == "Asia/Tokyo" and preference.weekly_digest is True


@pytest.mark.parametrize(
    "body",
    [
        {"digest_day": 0},
        {"digest_day": 8},
        {"digest_day": "monday"},
        {"weekly_digest": "yes"},
        {"weekly_digest": 0},
        {"digest_time": "25:00"},
        {"timezone": "Mars/Olympus"},
        {"timezone": "x" * 80},
    ],
)
def test_bad_values_are_400_naming_the_field_and_change_nothing(auth_client, user, body):
    response = auth_client.patch(URL, body)

    assert response.status_code == 400
    assert set(response.json()["error"]["details"]) == set(body)
    preference = NotificationPreference.objects.get(user=user)
    assert (preference.digest_day, preference.weekly_digest, preference.timezone) == (
        1,
        True,
        "UTC",
    )


def test_anonymous_clients_are_refused(api_client):
    assert api_client.get(URL).status_code == 401


def test_existing_users_get_defaults_from_the_migration_and_from_preferences_ensure():
    users = [UserFactory() for _ in range(3)]
    NotificationPreference.objects.all().delete()
    migration = import_module("apps.notifications.migrations.0002_default_preferences")

    migration.preferences_default(django_apps, None)
    assert NotificationPreference.objects.filter(user__in=users).count() == 3

    NotificationPreference.objects.filter(user=users[0]).delete()
    assert preferences_ensure() == 1
    assert preferences_ensure() == 0
