"""me/notifications/ (the in-app inbox), its unread count, and marking one read."""

import pytest
from django.utils import timezone

from apps.core.outbox.models import NotificationLog

pytestmark = pytest.mark.django_db
URL = "/api/v1/me/notifications/"


def in_app(user, n, *, read=False):
    now = timezone.now()
    return NotificationLog.objects.create(
        user=user,
        kind="recommendation_alert",
        notification_type="in_app",
        idempotency_key=f"inbox:{user.pk}:{n}",
        subject=f"Picked for you: Movie {n}",
        content="Because you liked Alien",
        context={"url": f"https://app.example.com/movies/{n}"},
        status="delivered",
        delivered_at=now,
        read_at=now if read else None,
        next_attempt_at=now,
    )


def test_the_inbox_lists_my_in_app_messages_newest_first(
    auth_client, user, other_user, django_assert_num_queries
):
    first, second = in_app(user, 1), in_app(user, 2, read=True)
    in_app(other_user, 3)
    NotificationLog.objects.create(
        user=user,
        kind="weekly_digest",
        notification_type="email",
        idempotency_key="mail",
        status="sent",
        next_attempt_at=timezone.now(),
    )

    with django_assert_num_queries(3):  # the user, the count, the page
        response = auth_client.get(URL)

    assert response.status_code == 200
    body = response.json()
    assert [item["id"] for item in body["data"]] == [second.pk, first.pk]
    assert body["data"][1] == {
        "id": first.pk,
        "kind": "recommendation_alert",
        "title": "Picked for you: Movie 1",
        "body": "Because you liked Alien",
        "url": "https://app.example.com/movies/1",
        "read": False,
        "read_at": None,
        "created_at": body["data"][1]["created_at"],
    }
    assert body["pagination"]["total"] == 2


def test_unread_filters_and_counts(auth_client, user):
    unread = in_app(user, 1)
    in_app(user, 2, read=True)

    assert [i["id"] for i in auth_client.get(URL, {"unread": "true"}).json()["data"]] == [unread.pk]
    assert len(auth_client.get(URL, {"unread": "false"}).json()["data"]) == 1
    assert auth_client.get(URL, {"unread": "maybe"}).status_code == 400
    assert auth_client.get(URL + "unread-count/").json()["data"] == {"unread": 1}


def test_marking_read_is_idempotent_and_counts_down(auth_client, user):
    log = in_app(user, 1)

    first = auth_client.post(f"{URL}{log.pk}/read/")
    second = auth_client.post(f"{URL}{log.pk}/read/")

    assert first.status_code == second.status_code == 200
    assert first.json()["data"]["read"] is True
    assert first.json()["data"]["read_at"] == second.json()["data"]["read_at"]
    assert auth_client.get(URL + "unread-count/").json()["data"] == {"unread": 0}


def test_another_users_message_is_a_404_and_stays_unread(auth_client, other_user):
    theirs = in_app(other_user, 1)

    assert auth_client.post(f"{URL}{theirs.pk}/read/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
