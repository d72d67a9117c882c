"""The dashboard page: staff only, bad dates fall back to the default range with a message."""

import pytest
from django.urls import reverse

from apps.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_only_staff_reach_the_dashboard(client):
    url = reverse("admin-analytics")
    assert client.get(url).status_code == 302  # to the admin's login
    client.force_login(UserFactory())
    assert client.get(url).status_code == 302
    client.force_login(UserFactory(is_staff=True))
    response = client.get(url)
    assert response.status_code == 200
    assert b"analytics/dashboard.js" in response.content
    assert b"http://" not in response.content and b"https://" not in response.content


def test_a_bad_range_shows_a_message_and_the_default_range(client):
    client.force_login(UserFactory(is_staff=True))
    response = client.get(reverse("admin-analytics"), {"from": "2026-01-01", "to": "2026-12-31"})

    assert response.status_code == 200
    assert b"At most 92 days" in response.content and b'role="alert"' in response.content
    assert len(response.context["figures"]["overview"]) == 30
