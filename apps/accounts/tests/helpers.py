"""Small helpers shared by the accounts tests."""

import re

import pytest
from django.core import mail

from apps.accounts import login_guard

PASSWORD = "correct-horse-battery-staple"
NEW_PASSWORD = "plum-orchard-velvet-42"


def bearer(client, access: str):
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


def login(api_client, username: str, password: str = PASSWORD, **extra):
    return api_client.post(
        "/api/v1/auth/login/", {"username": username, "password": password}, **extra
    )


def last_mail_token(pattern: str) -> str:
    """The value captured by ``pattern`` in the plain-text body of the last email sent."""
    match = re.search(pattern, mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(1)


@pytest.fixture
def mid_login_window(monkeypatch):
    """Login failures are counted in fixed one-minute windows: start the test well inside one
    so that a run crossing a minute boundary cannot reset the counters halfway."""
    start = (login_guard._now() // login_guard.WINDOW_SECONDS + 1) * login_guard.WINDOW_SECONDS
    monkeypatch.setattr(login_guard, "_now", lambda: start + 5)
