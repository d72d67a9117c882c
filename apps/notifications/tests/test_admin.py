"""The admin: templates (seeded by migration 0003, checked on save, previewed), logs filtered
by status and kind, devices and preferences."""

import pytest
from django.test import Client
from django.utils import timezone

from apps.accounts.tests.factories import UserFactory
from apps.core.outbox.models import NotificationLog
from apps.notifications.defaults import DEFAULT_TEMPLATES
from apps.notifications.models import NotificationTemplate, UserDevice

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client() -> Client:
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_every_template_type_has_a_default_row_from_the_migration():
    types = set(
        NotificationTemplate.objects.filter(is_active=True).values_list("template_type", flat=True)
    )
    assert types == set(DEFAULT_TEMPLATES) == set(NotificationTemplate.Type.values)


def test_a_template_is_previewed_with_example_values(admin_client):
    template = NotificationTemplate.objects.get(template_type="email_recommendation")

    page = admin_client.get(f"/admin/notifications/notificationtemplate/{template.pk}/change/")

    assert page.status_code == 200
    assert b"We think you will like Alien" in page.content


def test_a_template_that_does_not_render_is_refused(admin_client):
    template = NotificationTemplate.objects.get(template_type="push_trending")
    response = admin_client.post(
        f"/admin/notifications/notificationtemplate/{template.pk}/change/",
        {
            "name": template.name,
            "template_type": template.template_type,
            "subject": "{% if movie %}unclosed",
            "text_content": "x",
            "html_content": "",
            "is_active": "on",
        },
    )

    assert response.status_code == 200
    assert b"does not render" in response.content
    template.refresh_from_db()
    assert template.subject == "Trending: {{ movie.title }}"


def test_an_edited_template_is_what_the_next_message_says(django_capture_on_commit_callbacks):
    from django.core import mail

    from apps.notifications.services.alerts import alerts_send
    from apps.notifications.tests.helpers import recommend

    NotificationTemplate.objects.filter(template_type="email_recommendation").update(
        subject="Tonight: {{ movie.title }} for {{ user.username }}"
    )
    user = UserFactory(username="ash")
    recommend(user, score=0.9)
    with django_capture_on_commit_callbacks(execute=True):
        alerts_send(kinds=["recommendation"])

    assert mail.outbox[0].subject.startswith("Tonight: ") and mail.outbox[0].subject.endswith(
        " for ash"
    )


def test_logs_filter_by_status_and_kind(admin_client, django_assert_max_num_queries):
    user = UserFactory()
    now = timezone.now()
    for n, (kind, status) in enumerate(
        [("weekly_digest", "sent"), ("weekly_digest", "failed"), ("verify_email", "failed")]
    ):
        NotificationLog.objects.create(
            user=user,
            kind=kind,
            notification_type="email",
            status=status,
            idempotency_key=f"admin:{n}",
            recipient=f"r{n}@example.com",
            next_attempt_at=now,
        )

    with django_assert_max_num_queries(12):
        page = admin_client.get(
            "/admin/core/notificationlog/?status__exact=failed&kind=weekly_digest"
        )

    assert page.status_code == 200
    assert b"r1@example.com" in page.content
    assert b"r0@example.com" not in page.content and b"r2@example.com" not in page.content


@pytest.mark.parametrize(
    "url", ["/admin/notifications/userdevice/", "/admin/notifications/notificationpreference/"]
)
def test_devices_and_preferences_are_listed(admin_client, url):
    UserDevice.objects.create(user=UserFactory(), device_type="ios", device_token="t")

    assert admin_client.get(url).status_code == 200
