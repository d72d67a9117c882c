"""Small helpers shared by the accounts tests."""

import re

from django.core import mail

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
