"""The admin's login form, behind the same brute-force guard as the API login.

Django's admin login checks every password it is sent. This form asks login_guard first, with
the same account and client as ``auth/login/`` (so failures on either door add up), and checks
no password while the guard refuses.
"""

from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError

from apps.accounts.exceptions import TooManyAttempts
from apps.accounts.login_guard import login_attempt_begin
from apps.accounts.services.sessions import login_account
from apps.core.context import request_context


class AccountAdminLoginForm(AdminAuthenticationForm):
    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is None or not password:
            return super().clean()  # a missing field: no password to check
        _, account = login_account(identifier=username)
        try:
            attempt = login_attempt_begin(account=account, client=request_context().client_ip)
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
