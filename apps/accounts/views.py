"""Accounts endpoints: one APIView per resource; each parses, calls a service or a selector,
and serializes. Public auth endpoints skip authentication so that a stale Authorization header
cannot block logging in again; the account itself (me/, me/genres/) is the caller's own
resource (apps.core.permissions.OwnedResourceMixin)."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts import selectors, services
from apps.accounts.schema import AccountAutoSchema
from apps.accounts.serializers import (
    AccountDeleteSerializer,
    AccountDetailSerializer,
    AccountEmailStatusSerializer,
    AccountEmailVerifySerializer,
    AccountFavoriteGenresInputSerializer,
    AccountFavoriteGenresSerializer,
    AccountLoginResultSerializer,
    AccountLoginSerializer,
    AccountMeUpdateSerializer,
    AccountPasswordChangeSerializer,
    AccountPasswordResetConfirmSerializer,
    AccountPasswordResetSerializer,
    AccountRefreshInputSerializer,
    AccountRegisterSerializer,
    AccountTokenPairSerializer,
    AccountUserSerializer,
)
from apps.core.permissions import OwnedResourceMixin
from apps.core.throttling import AnonRateThrottle, AuthRateThrottle, UserRateThrottle

AUTH_TAG = ["auth"]
ME_TAG = ["me"]
RESET_SENT = "If an active account uses this email address, a reset link is on its way."


def _respond(data, *, message: str, status_code: int = status.HTTP_200_OK) -> Response:
    response = Response(data, status=status_code)
    response.message = message
    return response


def _validated(serializer_class, request, **kwargs):
    serializer = serializer_class(data=request.data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer


class PublicAuthView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [AuthRateThrottle]


class RegisterView(PublicAuthView):
    @extend_schema(
        tags=AUTH_TAG,
        request=AccountRegisterSerializer,
        responses={201: AccountUserSerializer},
        summary="Create an account (a verification email follows)",
    )
    def post(self, request):
        serializer = _validated(AccountRegisterSerializer, request)
        user_fields, profile_fields = serializer.split()
        user = services.user_register(
            username=user_fields.pop("username"),
            email=user_fields.pop("email"),
            password=user_fields.pop("password"),
            user_fields=user_fields,
            profile_fields=profile_fields,
        )
        user = selectors.user_with_profile(user_id=user.pk)
        return _respond(
            AccountUserSerializer(user).data,
            message="Account created; check your email to verify the address.",
            status_code=status.HTTP_201_CREATED,
        )


class LoginView(PublicAuthView):
    @extend_schema(
        tags=AUTH_TAG,
        request=AccountLoginSerializer,
        responses={200: AccountLoginResultSerializer},
        summary="Log in with a username or an email and a password",
    )
    def post(self, request):
        data = _validated(AccountLoginSerializer, request).validated_data
        user, tokens = services.user_login(
            identifier=data["username"],
            password=data["password"],
            challenge=data.get("challenge"),
        )
        user = selectors.user_with_profile(user_id=user.pk)
        body = {**tokens, "user": AccountUserSerializer(user).data}
        return _respond(body, message="Logged in.")


class TokenRefreshView(PublicAuthView):
    throttle_classes = [AnonRateThrottle]

    @extend_schema(
        tags=AUTH_TAG,
        request=AccountRefreshInputSerializer,
        responses={200: AccountTokenPairSerializer},
        summary="Exchange a refresh token for a new pair (the old one is blacklisted)",
    )
    def post(self, request):
        data = _validated(AccountRefreshInputSerializer, request).validated_data
        tokens = services.token_refresh(raw_refresh=data["refresh"])
        return _respond(tokens, message="Token refreshed.")


class LogoutView(PublicAuthView):
    throttle_classes = [AnonRateThrottle]

    @extend_schema(
        tags=AUTH_TAG,
        request=AccountRefreshInputSerializer,
        responses={200: AccountDetailSerializer},
        summary="Log out: blacklist the refresh token",
    )
    def post(self, request):
        data = _validated(AccountRefreshInputSerializer, request).validated_data
        services.token_revoke(raw_refresh=data["refresh"])
        return _respond({"detail": "Logged out."}, message="Logged out.")


class PasswordChangeView(APIView):
    permission_classes = [IsAuthenticated]
    throttle_classes = [UserRateThrottle, AuthRateThrottle]

    @extend_schema(
        tags=AUTH_TAG,
        request=AccountPasswordChangeSerializer,
        responses={200: AccountTokenPairSerializer},
        summary="Change the password; every other session is signed out",
    )
    def post(self, request):
        data = _validated(AccountPasswordChangeSerializer, request).validated_data
        tokens = services.password_change(
            user=request.user,
            old_password=data["old_password"],
            new_password=data["new_password"],
        )
        return _respond(tokens, message="Password changed; other sessions were signed out.")


class PasswordResetView(PublicAuthView):
    @extend_schema(
        tags=AUTH_TAG,
        request=AccountPasswordResetSerializer,
        responses={200: AccountDetailSerializer},
        summary="Ask for a password reset link (the same answer whether or not it exists)",
    )
    def post(self, request):
        data = _validated(AccountPasswordResetSerializer, request).validated_data
        services.password_reset_request(email=data["email"])
        return _respond({"detail": RESET_SENT}, message=RESET_SENT)


class PasswordResetConfirmView(PublicAuthView):
    @extend_schema(
        tags=AUTH_TAG,
        request=AccountPasswordResetConfirmSerializer,
        responses={200: AccountDetailSerializer},
        summary="Set a new password with the uid and token from the reset email",
    )
    def post(self, request):
        data = _validated(AccountPasswordResetConfirmSerializer, request).validated_data
        services.password_reset_confirm(
            uid=data["uid"], token=data["token"], new_password=data["new_password"]
        )
        message = "Password reset; log in with the new password."
        return _respond({"detail": message}, message=message)


class EmailVerifyView(PublicAuthView):
    @extend_schema(
        tags=AUTH_TAG,
        request=AccountEmailVerifySerializer,
        responses={200: AccountEmailStatusSerializer},
        summary="Verify the email address with the token from the verification email",
    )
    def post(self, request):
        data = _validated(AccountEmailVerifySerializer, request).validated_data
        user = services.email_verify(token=data["token"])
        body = {"email": user.email, "email_verified": user.email_verified_at is not None}
        return _respond(body, message="Email address verified.")


class EmailResendView(APIView):
    permission_classes = [IsAuthenticated]
    throttle_classes = [UserRateThrottle, AuthRateThrottle]

    @extend_schema(
        tags=AUTH_TAG,
        request=None,
        responses={200: AccountDetailSerializer},
        summary="Send the verification email again (once a minute at most)",
    )
    def post(self, request):
        services.email_verification_resend(user=request.user)
        message = "Verification email sent."
        return _respond({"detail": message}, message=message)


class MeView(OwnedResourceMixin, APIView):
    schema = AccountAutoSchema()  # DELETE takes a body (the current password)

    @extend_schema(tags=ME_TAG, responses={200: AccountUserSerializer}, summary="My account")
    def get(self, request):
        user = selectors.user_with_profile(user_id=request.user.pk)
        return _respond(AccountUserSerializer(user).data, message="OK")

    @extend_schema(
        tags=ME_TAG,
        request=AccountMeUpdateSerializer,
        responses={200: AccountUserSerializer},
        summary="Change my account and profile together",
    )
    def patch(self, request):
        serializer = _validated(AccountMeUpdateSerializer, request, partial=True)
        user_fields, profile_fields = serializer.split()
        current_password = user_fields.pop("current_password", None)
        services.user_update(
            user=request.user,
            user_fields=user_fields,
            profile_fields=profile_fields,
            current_password=current_password,
        )
        user = selectors.user_with_profile(user_id=request.user.pk)
        return _respond(AccountUserSerializer(user).data, message="Account updated.")

    @extend_schema(
        tags=ME_TAG,
        request=AccountDeleteSerializer,
        responses={204: OpenApiResponse(description="The account and what it owns are gone.")},
        summary="Delete my account (needs the current password)",
    )
    def delete(self, request):
        data = _validated(AccountDeleteSerializer, request).validated_data
        services.user_delete(user=request.user, current_password=data["current_password"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class MyGenresView(OwnedResourceMixin, APIView):
    def _state(self, request) -> dict:
        genres = list(selectors.favorite_genre_list(user=request.user))
        return AccountFavoriteGenresSerializer(
            {"genre_ids": [genre.pk for genre in genres], "genres": genres}
        ).data

    @extend_schema(
        tags=ME_TAG, responses={200: AccountFavoriteGenresSerializer}, summary="My favorite genres"
    )
    def get(self, request):
        return _respond(self._state(request), message="OK")

    @extend_schema(
        tags=ME_TAG,
        request=AccountFavoriteGenresInputSerializer,
        responses={200: AccountFavoriteGenresSerializer},
        summary="Replace my favorite genres",
    )
    def put(self, request):
        data = _validated(AccountFavoriteGenresInputSerializer, request).validated_data
        services.favorite_genres_set(user=request.user, genre_ids=data["genre_ids"])
        return _respond(self._state(request), message="Favorite genres saved.")
