"""apps/accounts/services/sessions.py, called directly."""

import pytest
from rest_framework_simplejwt.tokens import RefreshToken

from apps.accounts.exceptions import InvalidCredentials, TokenRefused
from apps.accounts.services.sessions import token_refresh, token_revoke, user_login
from apps.accounts.tests.factories import UserFactory
from apps.accounts.tests.helpers import PASSWORD
from apps.accounts.tokens import session_is_revoked, session_of, token_pair_for

pytestmark = pytest.mark.django_db


def test_user_login_by_username_or_email_returns_the_user_and_a_pair():
    user = UserFactory(username="Sarah")

    by_name = user_login(identifier=" sarah ", password=PASSWORD)
    by_email = user_login(identifier=user.email.upper(), password=PASSWORD)

    assert by_name[0] == by_email[0] == user
    assert set(by_name[1]) == {"access", "refresh"}
    user.refresh_from_db()
    assert user.last_login is not None


@pytest.mark.parametrize("identifier", ["sarah", "nobody"])
def test_user_login_refuses_a_wrong_password_and_an_unknown_account_alike(identifier):
    UserFactory(username="sarah")

    with pytest.raises(InvalidCredentials):
        user_login(identifier=identifier, password="wrong")


def test_user_login_refuses_an_inactive_account_with_the_right_password():
    UserFactory(username="sarah", is_active=False)

    with pytest.raises(InvalidCredentials):
        user_login(identifier="sarah", password=PASSWORD)


def test_token_refresh_rotates_within_the_session_and_refuses_the_old_token():
    user = UserFactory()
    old = token_pair_for(user)["refresh"]

    new = token_refresh(raw_refresh=old)

    assert session_of(RefreshToken(new["refresh"])) == session_of(RefreshToken(old, verify=False))
    with pytest.raises(TokenRefused):
        token_refresh(raw_refresh=old)


def test_token_refresh_refuses_a_token_issued_before_a_password_change():
    user = UserFactory()
    old = token_pair_for(user)["refresh"]
    user.token_version = 1
    user.save(update_fields=["token_version"])

    with pytest.raises(TokenRefused):
        token_refresh(raw_refresh=old)


def test_token_revoke_blacklists_the_refresh_token_and_revokes_its_session():
    user = UserFactory()
    refresh = token_pair_for(user)["refresh"]

    token_revoke(raw_refresh=refresh)

    assert session_is_revoked(session_of(RefreshToken(refresh, verify=False)))
    with pytest.raises(TokenRefused):
        token_refresh(raw_refresh=refresh)
    with pytest.raises(TokenRefused):
        token_revoke(raw_refresh="not-a-token")
