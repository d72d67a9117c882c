"""JWT authentication that also refuses tokens issued before the last password change, and
access tokens of a session that logged out."""

from rest_framework import exceptions
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed as JWTAuthenticationFailed
from rest_framework_simplejwt.exceptions import InvalidToken
from rest_framework_simplejwt.settings import api_settings

from apps.accounts.tokens import session_is_revoked, session_of, token_version_of
from apps.core.routers import request_user_bind

TOKEN_REFUSED = "The token is invalid, expired or revoked."  # noqa: S105 - a message


class AccountJWTAuthentication(JWTAuthentication):
    """simplejwt's checks (signature, algorithm, expiry, type, the user exists and is active)
    plus the token version and the session, answered with one plain 401 message in the
    envelope.

    The message does not say which check failed: a client only needs to log in again.
    """

    def get_validated_token(self, raw_token):
        try:
            return super().get_validated_token(raw_token)
        except InvalidToken as exc:
            raise exceptions.AuthenticationFailed(TOKEN_REFUSED, code="token_not_valid") from exc

    def get_user(self, validated_token):
        # A user who wrote a moment ago (a password change, a logout) is read from the primary.
        request_user_bind(validated_token.get(api_settings.USER_ID_CLAIM))
        try:
            user = super().get_user(validated_token)
        except (InvalidToken, JWTAuthenticationFailed) as exc:
            raise exceptions.AuthenticationFailed(TOKEN_REFUSED, code="token_not_valid") from exc
        if token_version_of(validated_token) != user.token_version:
            # Issued before the last password change or reset.
            raise exceptions.AuthenticationFailed(TOKEN_REFUSED, code="token_revoked")
        session = session_of(validated_token)
        if session is not None and session_is_revoked(session):
            raise exceptions.AuthenticationFailed(TOKEN_REFUSED, code="token_revoked")
        return user
