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


@shared_task(
    name="accounts.user_activity_anonymise",
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=8,
    time_limit=300,
    soft_time_limit=270,
)
def user_activity_anonymise_task(user_id: int) -> None:
    from apps.analytics.services import activity_anonymise_user

    activity_anonymise_user(user_id=user_id)
