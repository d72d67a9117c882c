"""Background work of the accounts app: thin wrappers over services.

Services enqueue these tasks, so the services are imported inside the task bodies.
"""

from celery import shared_task


@shared_task(name="accounts.verification_email_send", time_limit=60, soft_time_limit=50)
def verification_email_send_task(user_id: int) -> None:
    from apps.accounts.services.verification import verification_email_send

    verification_email_send(user_id=user_id)


@shared_task(name="accounts.password_reset_email_send", time_limit=60, soft_time_limit=50)
def password_reset_email_send_task(email: str) -> None:
    from apps.accounts.services.passwords import password_reset_email_send

    password_reset_email_send(email=email)
