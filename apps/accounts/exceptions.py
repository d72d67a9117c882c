"""Errors of the accounts app, rendered in the envelope by apps.core.exceptions."""

from apps.core.exceptions import ApplicationError


class InvalidCredentials(ApplicationError):
    """Unknown account, wrong password and inactive account all answer alike."""

    status_code = 401
    code = "invalid_credentials"
    default_message = "No active account matches these credentials."


class TokenRefused(ApplicationError):
    status_code = 401
    code = "token_not_valid"
    default_message = "The token is invalid, expired or revoked."


class TooManyAttempts(ApplicationError):
    status_code = 429
    code = "throttled"
    default_message = "Too many attempts; try again later."

    def __init__(self, message: str | None = None, *, retry_after: int) -> None:
        retry_after = max(1, int(retry_after))
        super().__init__(
            message or f"Too many attempts; try again in {retry_after} seconds.",
            details={"retry_after": retry_after},
            headers={"Retry-After": str(retry_after)},
        )


class LoginChallengeRequired(TooManyAttempts):
    """The account is receiving many failed logins from many addresses: wait ``delay`` seconds,
    then send the login again with ``challenge`` (apps.accounts.login_guard)."""

    code = "login_challenge"

    def __init__(self, *, challenge: str, delay: int) -> None:
        super().__init__(
            "This account is receiving many failed logins: wait "
            f"{delay} seconds, then send the login again with the challenge from this answer.",
            retry_after=delay,
        )
        self.challenge = challenge
        self.details = {**self.details, "challenge": challenge}
