"""Account emails: plain-text and HTML bodies rendered from templates, sent through Django's
email backend. A failure to send is logged, never raised: it must not fail a request."""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)


def email_send(*, template: str, to: str, context: dict) -> bool:
    """Send ``accounts/email/<template>`` to ``to``; False (and a log line) if it failed."""
    base = f"accounts/email/{template}"
    context = {"site_name": "Movie Nexus", "frontend_url": settings.FRONTEND_URL, **context}
    try:
        subject = " ".join(render_to_string(f"{base}_subject.txt", context).split())
        message = EmailMultiAlternatives(
            subject=subject,
            body=render_to_string(f"{base}_body.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[to],
        )
        message.attach_alternative(render_to_string(f"{base}_body.html", context), "text/html")
        message.send()
    except Exception as exc:  # noqa: BLE001 - mail servers fail in many ways
        logger.warning("email_send_failed", extra={"template": template, "error": str(exc)})
        return False
    return True
