"""The login guard counts per client as the request context reads it (NUM_PROXIES honoured)."""

import pytest
from django.test import override_settings
from rest_framework.settings import api_settings

from apps.accounts.tests.factories import UserFactory
from apps.accounts.tests.helpers import (  # noqa: F401 - mid_login_window is a fixture
    login,
    mid_login_window,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("mid_login_window")]


@pytest.fixture
def behind_one_proxy():
    with override_settings(REST_FRAMEWORK={**api_settings.user_settings, "NUM_PROXIES": 1}):
        yield


def test_behind_a_proxy_a_guesser_is_locked_out_by_its_own_address_not_the_proxys(
    api_client, behind_one_proxy
):
    UserFactory(username="victim")
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    for _ in range(5):
        login(api_client, "victim", "wrong", HTTP_X_FORWARDED_FOR="203.0.113.9", **proxy)

    assert (
        login(api_client, "victim", HTTP_X_FORWARDED_FOR="203.0.113.9", **proxy).status_code == 429
    )
    assert (
        login(api_client, "victim", HTTP_X_FORWARDED_FOR="198.51.100.7", **proxy).status_code == 200
    )


def test_a_guesser_cannot_dodge_the_lock_by_prepending_addresses_to_the_header(
    api_client, behind_one_proxy
):
    UserFactory(username="victim")
    for index in range(5):
        spoofed = f"192.0.2.{index}, 203.0.113.9"  # the proxy appends the real address
        login(api_client, "victim", "wrong", HTTP_X_FORWARDED_FOR=spoofed)

    response = login(api_client, "victim", "wrong", HTTP_X_FORWARDED_FOR="192.0.2.99, 203.0.113.9")
    assert response.status_code == 429
