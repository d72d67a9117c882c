"""The admin's login form, behind the same brute-force guard as the API login.

Django's admin login checks every password it is sent. This form asks login_guard first, with
the same account and client as ``auth/login/`` (so failures on either door add up), and checks
no password while the guard refuses. When the account is flooded from many addresses, the
guard's challenge is kept in the browser's session: the person signs in again after the short
wait the page asks for, and the form sends the challenge along.
"""

from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError

from apps.accounts.exceptions import LoginChallengeRequired, TooManyAttempts
from apps.accounts.login_guard import login_attempt_begin
from apps.accounts.services.sessions import login_account
from apps.core.context import request_context

SESSION_CHALLENGE = "accounts_login_challenge"


class AccountAdminLoginForm(AdminAuthenticationForm):
    def _session(self):
        return getattr(self.request, "session", None) if self.request is not None else None

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is None or not password:
            return super().clean()  # a missing field: no password to check
        _, account = login_account(identifier=username)
        session = self._session()
        challenge = session.pop(SESSION_CHALLENGE, None) if session is not None else None
        try:
            attempt = login_attempt_begin(
                account=account, client=request_context().client_ip, challenge=challenge
            )
        except LoginChallengeRequired as exc:
            if session is not None:
                session[SESSION_CHALLENGE] = exc.challenge
            raise ValidationError(
                "This account is receiving many failed logins: wait %(delay)s seconds, then "
                "sign in again.",
                code="throttled",
                params={"delay": exc.details["retry_after"]},
            ) from exc
        except TooManyAttempts as exc:
            raise ValidationError(exc.message, code="throttled") from exc
        try:
            cleaned_data = super().clean()
        except ValidationError:
            if self.user_cache is not None:
                # The password was right (a user who is not staff): not a guess.
                attempt.succeeded()
            raise
        attempt.succeeded()
        return cleaned_data
