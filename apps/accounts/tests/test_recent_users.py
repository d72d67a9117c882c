"""apps/accounts/authentication.py RecentUsers: a token's user read at most once per
AUTH_USER_CACHE_MS per process, checked on every request."""

import pytest
from rest_framework.exceptions import AuthenticationFailed

from apps.accounts.authentication import AccountJWTAuthentication, recent_users
from apps.accounts.tokens import AccountRefreshToken

pytestmark = pytest.mark.django_db


@pytest.fixture
def copies(settings):
    settings.AUTH_USER_CACHE_SECONDS = 60
    recent_users.clear()
    yield
    recent_users.clear()


def authenticate(token):
    authentication = AccountJWTAuthentication()
    return authentication.get_user(authentication.get_validated_token(str(token)))


def test_a_token_user_is_read_once_then_built_afresh_from_the_copy(
    user, copies, django_assert_num_queries
):
    token = AccountRefreshToken.for_user(user).access_token
    first = authenticate(token)

    with django_assert_num_queries(0):
        second = authenticate(token)

    assert (second.pk, second.email, second.token_version) == (user.pk, user.email, 0)
    assert second is not first
    assert not second._state.adding


def test_saving_the_user_drops_the_copy_so_a_deactivation_counts_at_once(user, copies):
    token = AccountRefreshToken.for_user(user).access_token
    authenticate(token)

    user.is_active = False
    user.save()

    with pytest.raises(AuthenticationFailed):
        authenticate(token)


def test_a_copy_still_refuses_a_token_of_an_older_version(user, copies):
    old = AccountRefreshToken.for_user(user).access_token
    user.token_version = 1
    user.save()
    new = AccountRefreshToken.for_user(user).access_token
    authenticate(new)  # the copy holds version 1

    with pytest.raises(AuthenticationFailed):
        authenticate(old)


def test_without_copies_every_request_reads_the_user(user, settings, django_assert_num_queries):
    settings.AUTH_USER_CACHE_SECONDS = 0
    token = AccountRefreshToken.for_user(user).access_token
    authenticate(token)

    with django_assert_num_queries(1):
        authenticate(token)


def test_a_token_verified_once_is_still_refused_once_it_expires(user, monkeypatch):
    from datetime import timedelta

    from rest_framework_simplejwt.utils import aware_utcnow

    from apps.accounts import authentication
    from apps.accounts.authentication import recent_tokens

    token = AccountRefreshToken.for_user(user).access_token
    raw = str(token).encode()
    authentication_ = AccountJWTAuthentication()
    first = authentication_.get_validated_token(raw)
    assert authentication_.get_validated_token(raw) is first  # verified once, then the copy

    later = aware_utcnow() + timedelta(hours=1)
    monkeypatch.setattr(authentication, "aware_utcnow", lambda: later)

    assert recent_tokens.get(raw) is None
    monkeypatch.setattr(
        "rest_framework_simplejwt.tokens.aware_utcnow", lambda: later
    )  # the token class's own clock, for the check from the bytes
    with pytest.raises(AuthenticationFailed):
        authentication_.get_validated_token(raw)
