"""The email channel: multipart text and HTML through Django's email backend (SMTP in
production, from EMAIL_URL)."""

import smtplib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.message import make_msgid

from apps.core.outbox.models import NotificationLog
from apps.core.outbox.registry import PermanentFailure, Rendered, channel_sender


@channel_sender(NotificationLog.Channel.EMAIL)
def email_deliver(log: NotificationLog, rendered: Rendered) -> str:
    """Hand the message to the mail server; returns its Message-ID. A recipient the server
    refuses for good (a 5xx answer) is a permanent failure; anything else is retried."""
    message_id = make_msgid(domain=getattr(settings, "EMAIL_MESSAGE_ID_DOMAIN", None))
    message = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[rendered.recipient or log.recipient],
        headers={"Message-ID": message_id, **rendered.headers},
        connection=get_connection(fail_silently=False),
    )
    if rendered.html:
        message.attach_alternative(rendered.html, "text/html")
    try:
        message.send()
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        if codes and all(500 <= code < 600 for code in codes):
            raise PermanentFailure(f"recipient refused: {exc.recipients}") from exc
        raise
    return message_id.strip("<>")[:100]
