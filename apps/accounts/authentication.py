"""JWT authentication that also refuses tokens issued before the last password change."""

from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken

from apps.accounts.tokens import token_version_of


class AccountJWTAuthentication(JWTAuthentication):
    """simplejwt's authentication (signature, expiry, type, user exists and is active) plus the
    token version check, with one plain 401 message instead of simplejwt's nested details."""

    def get_validated_token(self, raw_token):
        try:
            return super().get_validated_token(raw_token)
        except InvalidToken as exc:
            raise AuthenticationFailed(
                "The token is invalid or expired.", code="token_not_valid"
            ) from exc

    def get_user(self, validated_token):
        user = super().get_user(validated_token)
        if token_version_of(validated_token) != user.token_version:
            raise AuthenticationFailed(
                "The token was revoked (the password changed); log in again.",
                code="token_revoked",
            )
        return user
