"""Writes and business rules of the accounts app, one module per concern."""

from apps.accounts.services.deletion import user_delete
from apps.accounts.services.passwords import (
    password_change,
    password_reset_confirm,
    password_reset_request,
)
from apps.accounts.services.profile import favorite_genres_set, user_update
from apps.accounts.services.registration import user_register
from apps.accounts.services.sessions import token_refresh, token_revoke, user_login
from apps.accounts.services.verification import email_verification_resend, email_verify

__all__ = [
    "email_verification_resend",
    "email_verify",
    "favorite_genres_set",
    "password_change",
    "password_reset_confirm",
    "password_reset_request",
    "token_refresh",
    "token_revoke",
    "user_delete",
    "user_login",
    "user_register",
    "user_update",
]
