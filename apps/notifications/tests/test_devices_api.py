"""me/devices/: registering push devices (Web Push subscriptions are checked), listing and
removing one's own; another user's device is a 404."""

import json

import pytest

from apps.notifications.models import UserDevice
from conftest import client_for

pytestmark = pytest.mark.django_db
URL = "/api/v1/me/devices/"


def subscription(endpoint="https://push.example.com/send/abc", **keys) -> str:
    return json.dumps({"endpoint": endpoint, "keys": {"p256dh": "BPkey", "auth": "secret", **keys}})


def test_register_list_and_remove_a_web_device(auth_client, user, django_assert_num_queries):
    created = auth_client.post(
        URL, {"device_type": "web", "device_token": subscription(), "device_name": "Firefox"}
    )
    again = auth_client.post(URL, {"device_type": "web", "device_token": subscription()})

    assert (created.status_code, again.status_code) == (201, 200)
    assert created.json()["data"]["id"] == again.json()["data"]["id"]
    assert "device_token" not in created.json()["data"]
    with django_assert_num_queries(3):  # the user, the count, the page
        listed = auth_client.get(URL)
    assert [d["device_name"] for d in listed.json()["data"]] == ["Firefox"]
    device_id = created.json()["data"]["id"]
    assert auth_client.delete(f"{URL}{device_id}/").status_code == 204
    assert not UserDevice.objects.exists()


def test_a_token_registered_by_another_account_moves_to_the_new_one(auth_client, user, other_user):
    client_for(other_user).post(URL, {"device_type": "android", "device_token": "fcm-token-1"})

    response = auth_client.post(URL, {"device_type": "android", "device_token": "fcm-token-1"})

    assert response.status_code == 200
    assert UserDevice.objects.get().user_id == user.pk


def test_another_users_device_is_a_404_and_stays(auth_client, other_user):
    theirs = UserDevice.objects.create(user=other_user, device_type="ios", device_token="t")

    assert auth_client.delete(f"{URL}{theirs.pk}/").status_code == 404
    assert UserDevice.objects.filter(pk=theirs.pk).exists()


@pytest.mark.parametrize(
    "token",
    [
        "not json",
        json.dumps(["endpoint"]),
        json.dumps({"endpoint": "https://push.example.com/x"}),
        subscription(endpoint="ftp://push.example.com/x"),
        subscription(endpoint="http://push.example.com/x"),
        subscription(endpoint="https://127.0.0.1/x"),
        subscription(endpoint="https://10.0.0.7/x"),
        subscription(endpoint="https://localhost/x"),
    ],
)
def test_a_web_token_that_is_not_a_public_push_subscription_is_a_400(auth_client, settings, token):
    settings.WEBPUSH_ALLOW_LOCAL_ENDPOINTS = False

    response = auth_client.post(URL, {"device_type": "web", "device_token": token})

    assert response.status_code == 400
    assert "device_token" in response.json()["error"]["details"]
    assert not UserDevice.objects.exists()


def test_bad_device_types_are_400(auth_client):
    response = auth_client.post(URL, {"device_type": "fax", "device_token": "x"})
    assert response.status_code == 400
