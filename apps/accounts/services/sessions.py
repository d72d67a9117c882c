"""Logging in, refreshing and revoking JWTs."""

from django.contrib.auth.models import update_last_login
from django.db import IntegrityError, transaction
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.utils import datetime_from_epoch

from apps.accounts.exceptions import InvalidCredentials, TokenRefused
from apps.accounts.login_guard import login_attempt_begin
from apps.accounts.models import User
from apps.accounts.selectors import user_for_login
from apps.accounts.tokens import (
    AccountRefreshToken,
    session_of,
    session_revoke,
    token_pair_for,
    token_version_of,
)
from apps.core.context import request_context


def login_account(*, identifier: str) -> tuple[User | None, str]:
    """The user a login name designates (None if none) and the account the login guard counts
    the attempt against: the user, so that a username and an email share one counter, or the
    name itself, so that unknown names are limited exactly like real ones."""
    identifier = identifier.strip()
    user = user_for_login(identifier=identifier)
    return user, (f"user:{user.pk}" if user is not None else f"name:{identifier.lower()}")


def user_login(*, identifier: str, password: str) -> tuple[User, dict[str, str]]:
    """Check a username-or-email and password; returns the user and a fresh token pair.

    Unknown account, wrong password and inactive account answer with the same error after the
    same amount of hashing work. Failures are counted per account and per client (login_guard;
    the client is the request context's).
    """
    user, account = login_account(identifier=identifier)
    attempt = login_attempt_begin(account=account, client=request_context().client_ip)
    if user is None or not user.has_usable_password():
        User().set_password(password)  # the same hashing time as a real check
        raise InvalidCredentials()
    if not user.check_password(password) or not user.is_active:
        raise InvalidCredentials()
    attempt.succeeded()
    update_last_login(None, user)
    return user, token_pair_for(user)


def _refresh_token_read(raw_refresh: str) -> AccountRefreshToken:
    """A refresh token with a valid signature, not expired and not blacklisted."""
    try:
        return AccountRefreshToken(raw_refresh)
    except TokenError as exc:
        raise TokenRefused() from exc


def _outstanding_for(token: AccountRefreshToken) -> OutstandingToken:
    outstanding, _ = OutstandingToken.objects.get_or_create(
        jti=token[jwt_settings.JTI_CLAIM],
        defaults={
            "user_id": None,
            "token": str(token),
            "created_at": token.current_time,
            "expires_at": datetime_from_epoch(token["exp"]),
        },
    )
    return outstanding


def token_refresh(*, raw_refresh: str) -> dict[str, str]:
    """Exchange a refresh token for a new pair; the old refresh token is blacklisted.

    The blacklist row is the claim on the token: of two concurrent refreshes with the same
    token exactly one wins, the other gets a 401. The user must still exist, be active and
    hold the token's version (no password change since it was issued).
    """
    token = _refresh_token_read(raw_refresh)
    user_id = str(token.get(jwt_settings.USER_ID_CLAIM, ""))
    user = User.objects.filter(pk=int(user_id)).first() if user_id.isdigit() else None
    if user is None or not user.is_active or token_version_of(token) != user.token_version:
        raise TokenRefused()
    with transaction.atomic():
        outstanding = _outstanding_for(token)
        try:
            with transaction.atomic():
                BlacklistedToken.objects.create(token=outstanding)
        except IntegrityError as exc:
            raise TokenRefused() from exc
        return token_pair_for(user, session=session_of(token))


def token_revoke(*, raw_refresh: str) -> None:
    """Log out: blacklist the refresh token (possessing it is the proof needed) and revoke its
    session, so the access tokens made from it stop working too."""
    token = _refresh_token_read(raw_refresh)
    session = session_of(token)
    with transaction.atomic():
        BlacklistedToken.objects.get_or_create(token=_outstanding_for(token))
    if session is not None:
        # Not deferred to a commit: had the blacklisting been rolled back by an outer
        # transaction, a revoked session is still what a logout asked for.
        session_revoke(session)
