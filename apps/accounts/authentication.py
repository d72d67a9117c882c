"""JWT authentication that also refuses tokens issued before the last password change, and
access tokens of a session that logged out.

The user a token names is read from the database at most once per AUTH_USER_CACHE_MS (default
1000 ms) per process (``RecentUsers``; issue 15: the read was half the database work of a
logged-in movie detail). Every request still gets its own user instance, and the token
version, the active flag and the session are checked on every request against it. A change
saved through the ORM in this process (a password change, a deactivation, a deletion) drops
the copy at once; one made in another process, or by a bulk UPDATE, reaches this one within
AUTH_USER_CACHE_MS. 0 turns the copies off.
"""

import threading
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models.signals import post_delete, post_save
from rest_framework import exceptions
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed as JWTAuthenticationFailed
from rest_framework_simplejwt.exceptions import InvalidToken
from rest_framework_simplejwt.settings import api_settings

from apps.accounts.tokens import session_is_revoked, session_of, token_version_of
from apps.core.routers import request_user_bind

TOKEN_REFUSED = "The token is invalid, expired or revoked."  # noqa: S105 - a message


class RecentUsers:
    """This process's copies of the rows of users who authenticated in the last
    AUTH_USER_CACHE_MS, as field values (each request builds its own instance)."""

    max_entries = 10_000

    def __init__(self) -> None:
        self._rows: dict[object, tuple[float, tuple, tuple]] = {}
        self._lock = threading.Lock()

    def get(self, user_id):
        """A new instance of the user from a fresh copy, or None."""
        found = self._rows.get(str(user_id))
        if found is None or found[0] <= time.monotonic():
            return None
        _, names, values = found
        return get_user_model().from_db("default", names, values)

    def put(self, user) -> None:
        seconds = settings.AUTH_USER_CACHE_SECONDS
        if seconds <= 0:
            return
        names = tuple(field.attname for field in user._meta.concrete_fields)
        values = tuple(getattr(user, name) for name in names)
        with self._lock:
            if len(self._rows) >= self.max_entries:
                self._rows.clear()
            self._rows[str(user.pk)] = (time.monotonic() + seconds, names, values)

    def drop(self, user_id) -> None:
        with self._lock:
            self._rows.pop(str(user_id), None)

    def clear(self) -> None:
        with self._lock:
            self._rows.clear()


recent_users = RecentUsers()


def _drop_recent_user(sender, instance, **kwargs) -> None:
    recent_users.drop(instance.pk)


def connect(user_model) -> None:
    """Drop a user's copy whenever their row is saved or deleted in this process."""
    post_save.connect(_drop_recent_user, sender=user_model, dispatch_uid="recent_users_save")
    post_delete.connect(_drop_recent_user, sender=user_model, dispatch_uid="recent_users_delete")


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
        user_id = validated_token.get(api_settings.USER_ID_CLAIM)
        request_user_bind(user_id)
        copies = user_id is not None and not api_settings.CHECK_REVOKE_TOKEN
        user = recent_users.get(user_id) if copies else None
        try:
            if user is None:
                user = super().get_user(validated_token)
                recent_users.put(user)
            elif api_settings.CHECK_USER_IS_ACTIVE and not user.is_active:
                raise JWTAuthenticationFailed("User is inactive", code="user_inactive")
        except (InvalidToken, JWTAuthenticationFailed) as exc:
            raise exceptions.AuthenticationFailed(TOKEN_REFUSED, code="token_not_valid") from exc
        if token_version_of(validated_token) != user.token_version:
            # Issued before the last password change or reset.
            raise exceptions.AuthenticationFailed(TOKEN_REFUSED, code="token_revoked")
        session = session_of(validated_token)
        if session is not None and session_is_revoked(session):
            raise exceptions.AuthenticationFailed(TOKEN_REFUSED, code="token_revoked")
        return user
