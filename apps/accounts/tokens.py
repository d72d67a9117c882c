"""Tokens the accounts app issues: JWT pairs, email verification and password reset tokens.

JWTs carry ``token_version``: the user's counter at issue time. Changing or resetting the
password bumps the counter, so every token issued before is refused (see authentication.py).
A token without the claim counts as version 0, which is what every user starts with.

They also carry ``sid``, the session: the id of the refresh token issued at login, copied into
the access tokens made from it and kept through refresh rotations. Logging out revokes the
session, so its access tokens stop working at once instead of at their expiry
(``session_revoke``; checked in authentication.py).
"""

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import signing
from django.utils.http import base36_to_int
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken
from rest_framework_simplejwt.tokens import BlacklistMixin, RefreshToken
from rest_framework_simplejwt.utils import datetime_from_epoch

from apps.accounts.identity import identity_fold
from apps.core.cache import cache_get, cache_set

TOKEN_VERSION_CLAIM = "token_version"  # noqa: S105 - a claim name
SESSION_CLAIM = "sid"
EMAIL_VERIFICATION_SALT = "apps.accounts.email-verification"


def email_verification_max_age() -> int:
    """Seconds an email verification link stays valid (default three days)."""
    return int(getattr(settings, "ACCOUNTS_EMAIL_VERIFICATION_MAX_AGE", 3 * 24 * 3600))


def password_reset_max_age() -> int:
    """Seconds a password reset link stays valid (default one hour)."""
    return int(getattr(settings, "ACCOUNTS_PASSWORD_RESET_MAX_AGE", 3600))


class AccountRefreshToken(RefreshToken):
    """A refresh token (and, through ``access_token``, an access token) stamped with the
    user's token version."""

    @classmethod
    def for_user(cls, user, *, session: str | None = None):
        """A new refresh token of ``session`` (a new session when None), recorded in the
        outstanding tokens with every claim, the session's included, so that ending a session
        can find its tokens (``session_end``)."""
        # Token.for_user, skipping BlacklistMixin's, which records the token before our claims.
        token = super(BlacklistMixin, cls).for_user(user)
        token[TOKEN_VERSION_CLAIM] = user.token_version
        token[SESSION_CLAIM] = session or token[jwt_settings.JTI_CLAIM]
        OutstandingToken.objects.create(
            user=user,
            jti=token[jwt_settings.JTI_CLAIM],
            token=str(token),
            created_at=token.current_time,
            expires_at=datetime_from_epoch(token["exp"]),
        )
        return token


def token_version_of(token) -> int:
    """The version a validated token was issued under (0 for tokens without the claim)."""
    value = token.get(TOKEN_VERSION_CLAIM, 0)
    return value if isinstance(value, int) and not isinstance(value, bool) else -1


def session_of(token) -> str | None:
    """The session a validated token belongs to (None for tokens issued without one)."""
    value = token.get(SESSION_CLAIM)
    return value if isinstance(value, str) and value else None


def revoked_session_key(session: str) -> str:
    """The cache key that marks ``session`` as logged out."""
    return f"jwt:revoked_session:{session}"


def session_revoke(session: str, *, until_refresh_expiry: bool = False) -> None:
    """Refuse the session's access tokens from now until the last of them has expired (and,
    with ``until_refresh_expiry``, its refresh tokens too, for as long as one could live)."""
    lifetime = jwt_settings.ACCESS_TOKEN_LIFETIME
    if until_refresh_expiry:
        lifetime = max(lifetime, jwt_settings.REFRESH_TOKEN_LIFETIME)
    cache_set(revoked_session_key(session), 1, int(lifetime.total_seconds()) + 60)


def session_is_revoked(session: str) -> bool:
    """Whether the session was logged out (False when the cache cannot say: an access token
    then lives to its expiry, at most ACCESS_TOKEN_LIFETIME, as before logout existed)."""
    return cache_get(revoked_session_key(session)) is not None


def token_pair_for(user, *, session: str | None = None) -> dict[str, str]:
    """A new access and refresh pair; ``session`` continues an existing session (a refresh
    rotation), so logging out later also refuses the access tokens issued before it."""
    refresh = AccountRefreshToken.for_user(user, session=session)
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


def email_verification_token_make(user) -> str:
    """A signed, timestamped token naming the user, the address being verified and the
    user's email change counter: once the address changes, even back to this one, the token
    is dead."""
    return signing.dumps(
        {"uid": user.pk, "email": identity_fold(user.email), "ev": user.email_version},
        salt=EMAIL_VERIFICATION_SALT,
    )


def email_verification_token_read(token: str) -> dict | None:
    """The token's payload, or None if it is tampered with, malformed or expired."""
    try:
        payload = signing.loads(
            token, salt=EMAIL_VERIFICATION_SALT, max_age=email_verification_max_age()
        )
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("uid"), int):
        return None
    if not isinstance(payload.get("email"), str):
        return None
    # Tokens made before the counter existed carry none: refused (ask for a new email).
    version = payload.get("ev")
    if not isinstance(version, int) or isinstance(version, bool):
        return None
    return payload


class PasswordResetTokens(PasswordResetTokenGenerator):
    """Django's reset tokens (single use: they hash the password and last login) with their
    own salt and a lifetime shorter than PASSWORD_RESET_TIMEOUT's three days."""

    key_salt = "apps.accounts.password-reset"

    def check_token(self, user, token):
        if not user or not token or not super().check_token(user, token):
            return False
        try:
            issued_at = base36_to_int(token.split("-")[0])
        except ValueError:
            return False
        age = self._num_seconds(self._now()) - issued_at
        return 0 <= age <= password_reset_max_age()


password_reset_tokens = PasswordResetTokens()
