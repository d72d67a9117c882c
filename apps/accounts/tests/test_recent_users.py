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


def test_saving_the_user_drops_the_copy_so_a_deactivation_counts_at_once(
    user, copies, django_capture_on_commit_callbacks
):
    token = AccountRefreshToken.for_user(user).access_token
    authenticate(token)

    with django_capture_on_commit_callbacks(execute=True):  # the shared copy: at commit
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


# The shared copy (another process's view: this process's copies cleared) ------------------


def test_a_process_without_a_copy_builds_the_user_from_the_shared_one_without_a_query(
    user, copies, django_assert_num_queries
):
    token = AccountRefreshToken.for_user(user).access_token
    authenticate(token)  # the row read once, from the database, and shared
    recent_users.clear()  # as in another process

    with django_assert_num_queries(0):
        again = authenticate(token)

    assert (again.pk, again.email, again.token_version) == (user.pk, user.email, 0)
    assert "password" in again.get_deferred_fields()  # the hash is never in the cache
    with django_assert_num_queries(1):
        assert again.check_password("correct-horse-battery-staple")  # read when needed


def test_a_deactivation_saved_anywhere_refuses_the_shared_copy_at_once(
    user, copies, django_capture_on_commit_callbacks
):
    token = AccountRefreshToken.for_user(user).access_token
    authenticate(token)
    recent_users.clear()

    with django_capture_on_commit_callbacks(execute=True):
        user.is_active = False
        user.save()  # drops the shared copy once committed
    recent_users.clear()  # another process's copy has expired

    with pytest.raises(AuthenticationFailed):
        authenticate(token)


def test_a_logged_out_session_is_refused_by_the_combined_read(user, copies):
    from apps.accounts.tokens import session_of, session_revoke

    token = AccountRefreshToken.for_user(user).access_token
    authenticate(token)
    recent_users.clear()
    session_revoke(session_of(token))

    with pytest.raises(AuthenticationFailed) as refused:
        authenticate(token)
    assert refused.value.get_codes() == "token_revoked"


def test_a_deleted_user_is_refused_with_the_plain_message(user, copies):
    token = AccountRefreshToken.for_user(user).access_token
    user.delete()

    with pytest.raises(AuthenticationFailed) as refused:
        authenticate(token)
    assert refused.value.get_codes() == "token_not_valid"


def test_when_the_cache_cannot_answer_the_user_is_read_from_the_database(
    user, copies, monkeypatch, django_assert_num_queries
):
    from apps.accounts import authentication

    monkeypatch.setattr(authentication, "versioned_get_many", lambda *args, **kwargs: None)
    token = AccountRefreshToken.for_user(user).access_token

    with django_assert_num_queries(1):
        assert authenticate(token).pk == user.pk


def test_the_shared_copy_lives_auth_user_copy_seconds(user, copies, settings, monkeypatch):
    from apps.accounts import authentication

    written = []
    real = authentication.versioned_set
    monkeypatch.setattr(
        authentication,
        "versioned_set",
        lambda namespace, parts, value, ttl, version: (
            written.append((namespace, ttl)),
            real(namespace, parts, value, ttl, version),
        ),
    )
    settings.AUTH_USER_COPY_SECONDS = 123

    authenticate(AccountRefreshToken.for_user(user).access_token)

    assert written == [(authentication.user_copy_namespace(user.pk), 123)]


def test_with_auth_user_copy_seconds_0_no_copy_is_shared(
    user, copies, settings, django_assert_num_queries
):
    settings.AUTH_USER_COPY_SECONDS = 0
    token = AccountRefreshToken.for_user(user).access_token
    authenticate(token)
    recent_users.clear()  # as in another process

    with django_assert_num_queries(1):  # no shared copy to read: the row again
        assert authenticate(token).pk == user.pk


def test_verifying_the_email_drops_the_copies_of_the_row(
    user, copies, api_client, django_capture_on_commit_callbacks
):
    """Verifying changes the row with an UPDATE, no save: the copies still go (a resend made
    with the old copy would mail a verified address)."""
    from apps.accounts.tokens import email_verification_token_make

    token = AccountRefreshToken.for_user(user).access_token
    assert authenticate(token).email_verified_at is None  # copied: this process's and shared

    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            "/api/v1/auth/email/verify/", {"token": email_verification_token_make(user)}
        )

    assert response.status_code == 200
    assert authenticate(token).email_verified_at is not None  # this process's copy
    recent_users.clear()  # as in another process
    assert authenticate(token).email_verified_at is not None  # the shared copy


def test_the_shared_copy_holds_every_field_as_the_orm_reads_the_row(
    user, copies, django_assert_num_queries
):
    # The copy is read with a plain statement: its values converted as the ORM's would be
    # (dates, aware datetimes and booleans come back as text and integers from SQLite).
    from datetime import date

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    user.last_login = timezone.now()
    user.date_of_birth = date(1990, 5, 17)
    user.is_premium = True
    user.email_verified_at = None
    user.save()
    token = AccountRefreshToken.for_user(user).access_token
    with django_assert_num_queries(1):
        made = authenticate(token)  # the row read from the database and shared
    recent_users.clear()  # as in another process
    with django_assert_num_queries(0):
        shared = authenticate(token)

    row = get_user_model().objects.get(pk=user.pk)
    for field in row._meta.concrete_fields:
        if field.attname == "password":
            continue
        expected = getattr(row, field.attname)
        for copy in (made, shared):
            value = getattr(copy, field.attname)
            assert (value, type(value)) == (expected, type(expected)), field.attname


# When full -----------------------------------------------------------------------------------


def test_a_full_token_table_drops_the_token_verified_longest_ago_not_every_token(user):
    from apps.accounts.authentication import RecentTokens

    tokens = RecentTokens()
    tokens.max_entries = 3
    raws = []
    for _ in range(4):
        token = AccountRefreshToken.for_user(user).access_token
        raws.append(str(token).encode())
        tokens.put(raws[-1], token)

    assert tokens.get(raws[0]) is None
    assert all(tokens.get(raw) is not None for raw in raws[1:])

    tokens.put(raws[1], tokens.get(raws[1]))  # one already held: nothing else goes
    assert all(tokens.get(raw) is not None for raw in raws[1:])


def test_a_full_user_table_drops_the_copies_made_longest_ago_not_every_copy(settings):
    from django.contrib.auth import get_user_model

    from apps.accounts.authentication import RecentUsers

    settings.AUTH_USER_CACHE_SECONDS = 60
    users = [
        get_user_model()(pk=pk, username=f"u{pk}", email=f"u{pk}@example.com")
        for pk in (1, 2, 3, 4)
    ]
    copies = RecentUsers()
    copies.max_entries = 3
    for member in users[:3]:
        copies.put(member)
    copies.put(users[0])  # made again: now the newest
    copies.put(users[3])

    assert copies.get(2) is None
    assert [copies.get(pk).username for pk in (1, 3, 4)] == ["u1", "u3", "u4"]
