"""Logging in, refreshing and revoking JWTs."""

import logging

from django.contrib.auth.models import update_last_login
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework_simplejwt.exceptions import TokenBackendError, TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.state import token_backend
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.utils import datetime_from_epoch

from apps.accounts.exceptions import InvalidCredentials, TokenRefused
from apps.accounts.identity import identity_fold
from apps.accounts.login_guard import login_attempt_begin
from apps.accounts.models import User
from apps.accounts.selectors import user_for_login
from apps.accounts.tokens import (
    AccountRefreshToken,
    session_is_revoked,
    session_of,
    session_revoke,
    token_pair_for,
    token_version_of,
)
from apps.core.context import request_context

logger = logging.getLogger(__name__)


def login_account(*, identifier: str) -> tuple[User | None, str]:
    """The user a login name designates (None if none) and the account the login guard counts
    the attempt against: the user, so that a username and an email share one counter, or the
    name itself, so that unknown names are limited exactly like real ones."""
    identifier = identifier.strip()
    user = user_for_login(identifier=identifier)
    return user, (f"user:{user.pk}" if user is not None else f"name:{identity_fold(identifier)}")


def user_login(
    *, identifier: str, password: str, challenge: str | None = None
) -> tuple[User, dict[str, str]]:
    """Check a username-or-email and password; returns the user and a fresh token pair.

    Unknown account, wrong password and inactive account answer with the same error after the
    same amount of hashing work. Failures are counted per account and per client (login_guard;
    the client is the request context's); ``challenge`` is the one login_guard handed out when
    the account was flooded, sent back after its delay.
    """
    user, account = login_account(identifier=identifier)
    attempt = login_attempt_begin(
        account=account, client=request_context().client_ip, challenge=challenge
    )
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


def _user_id_of(claims) -> int | None:
    value = str(claims.get(jwt_settings.USER_ID_CLAIM, ""))
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 18 else None


def session_end(*, user_id: int, session: str) -> None:
    """End a session at once: blacklist its refresh tokens still outstanding and refuse its
    access tokens (and any refresh token of it that escaped the blacklisting) from now on.

    Call inside a transaction holding the user's row lock, so that no refresh of the session
    commits a new token behind the scan.
    """
    session_revoke(session, until_refresh_expiry=True)
    pending = OutstandingToken.objects.filter(
        user_id=user_id, expires_at__gt=timezone.now(), blacklistedtoken__isnull=True
    ).only("pk", "token")
    ended = []
    for outstanding in pending:
        try:
            claims = token_backend.decode(outstanding.token, verify=False)
        except TokenBackendError:
            continue
        if session_of(claims) == session:
            ended.append(BlacklistedToken(token=outstanding))
    BlacklistedToken.objects.bulk_create(ended, ignore_conflicts=True)
    logger.warning("refresh_token_reused", extra={"user_id": user_id, "session": session})


def _reuse_check(raw_refresh: str) -> None:
    """A refresh token with a valid signature that was already rotated (or revoked) is being
    presented again: someone else holds a copy. End the session it belongs to."""
    try:
        claims = token_backend.decode(raw_refresh, verify=True)
    except TokenBackendError:
        return  # forged, malformed or expired: nothing to learn
    if claims.get(jwt_settings.TOKEN_TYPE_CLAIM) != AccountRefreshToken.token_type:
        return
    user_id, session = _user_id_of(claims), session_of(claims)
    jti = claims.get(jwt_settings.JTI_CLAIM)
    if user_id is None or session is None or not isinstance(jti, str):
        return  # tokens issued before sessions existed name no session to end
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user_id).first()
        if BlacklistedToken.objects.filter(token__jti=jti).exists():
            session_end(user_id=user_id, session=session)


def token_refresh(*, raw_refresh: str) -> dict[str, str]:
    """Exchange a refresh token for a new pair; the old refresh token is blacklisted.

    The blacklist row is the claim on the token: of two concurrent refreshes with the same
    token exactly one wins. A refresh token presented after it was rotated is a copy in
    someone else's hands (or the loser of such a race): the answer is a 401 and the whole
    session ends, its current tokens included (``session_end``). The user must still exist,
    be active and hold the token's version (no password change since it was issued).
    """
    try:
        token = AccountRefreshToken(raw_refresh)
    except TokenError as exc:
        _reuse_check(raw_refresh)
        raise TokenRefused() from exc
    user_id, session = _user_id_of(token), session_of(token)
    with transaction.atomic():
        # The user's row lock orders refreshes against a reuse that ends the session.
        user = User.objects.select_for_update().filter(pk=user_id).first() if user_id else None
        if user is None or not user.is_active or token_version_of(token) != user.token_version:
            raise TokenRefused()
        if session is not None and session_is_revoked(session):
            raise TokenRefused()
        outstanding = _outstanding_for(token)
        try:
            with transaction.atomic():
                BlacklistedToken.objects.create(token=outstanding)
        except IntegrityError:
            reused = True
        else:
            reused = False
        if not reused:
            return token_pair_for(user, session=session)
        if session is not None:
            session_end(user_id=user.pk, session=session)
    raise TokenRefused()


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
