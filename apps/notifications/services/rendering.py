"""Rendering the notification kinds from their templates, for the outbox (apps.core.outbox).

The fixed context every template gets:

- ``site_name``, ``frontend_url``, ``preferences_url``;
- ``user``: ``username``, ``first_name``;
- ``unsubscribe_url`` (emails only: turns this kind off by email, one click);
- an alert's ``movie``, a digest's ``recommendations``, ``new_releases`` and ``trending``
  (lists of movies). A movie is ``title``, ``year``, ``reason`` and ``url`` (in an email or a
  push, a signed click link that records the click and redirects to the movie's page).

Messages are rendered when they are sent, so a template changed in the admin applies to what
is still pending, and a kind turned off in between is not sent (the row is skipped).
"""

from django.conf import settings
from django.template import TemplateSyntaxError

from apps.accounts.models import User
from apps.core.outbox.models import NotificationLog
from apps.core.outbox.registry import PermanentFailure, Rendered, kind_renderer
from apps.core.outbox.rendering import parts_from_strings
from apps.notifications.defaults import DEFAULT_TEMPLATES
from apps.notifications.kinds import KINDS, Kind, kind_wanted
from apps.notifications.models import NotificationTemplate, UserDevice
from apps.notifications.services.content import movie_url
from apps.notifications.services.preferences import preference_for
from apps.notifications.tokens import click_url, open_url, unsubscribe_url

Channel = NotificationLog.Channel
MOVIE_LISTS = ("recommendations", "new_releases", "trending")


def template_for(template_type: str) -> tuple[str, str, str, str]:
    """(name, subject, text, html) of the newest active template of the type, else the
    default one."""
    row = (
        NotificationTemplate.objects.filter(template_type=template_type, is_active=True)
        .order_by("-updated_at", "-id")
        .only("name", "subject", "text_content", "html_content")
        .first()
    )
    if row is not None:
        return row.name, row.subject, row.text_content, row.html_content
    default = DEFAULT_TEMPLATES[template_type]
    return (
        f"default:{template_type}",
        default["subject"],
        default["text_content"],
        default["html_content"],
    )


def movie_page_url(movie_id: int) -> str:
    return movie_url(movie_id)


def preferences_page_url() -> str:
    return f"{settings.FRONTEND_URL}/settings/notifications"


def sample_context() -> dict:
    """A context of the fixed shape with example values (the admin's preview)."""
    movie = {
        "title": "Alien",
        "year": 1979,
        "reason": "Because you liked Aliens",
        "url": movie_page_url(1),
    }
    other = {"title": "Heat", "year": 1995, "reason": "", "url": movie_page_url(2)}
    return {
        "site_name": "Movie Nexus",
        "frontend_url": settings.FRONTEND_URL,
        "preferences_url": preferences_page_url(),
        "unsubscribe_url": f"{settings.PUBLIC_URL}/api/v1/notifications/unsubscribe/example/",
        "user": {"username": "ripley", "first_name": "Ellen"},
        "movie": movie,
        "recommendations": [movie, other],
        "new_releases": [other],
        "trending": [movie],
    }


def message_context(*, log: NotificationLog, user: User, kind: Kind, linked: bool) -> dict:
    """The fixed context for one message; ``linked``: movie links go through the click route."""

    def with_url(movie: dict) -> dict:
        target = movie_page_url(movie["id"])
        url = click_url(log.pk, target) if linked else target
        return {**{key: movie.get(key) for key in ("title", "year", "reason")}, "url": url}

    stored = log.context or {}
    context = {
        "site_name": "Movie Nexus",
        "frontend_url": settings.FRONTEND_URL,
        "preferences_url": preferences_page_url(),
        "unsubscribe_url": "",
        "user": {"username": user.username, "first_name": user.first_name},
    }
    if "movie" in stored:
        context["movie"] = with_url(stored["movie"])
    for name in MOVIE_LISTS:
        context[name] = [with_url(movie) for movie in stored.get(name, [])]
    if log.notification_type == Channel.EMAIL:
        context["unsubscribe_url"] = unsubscribe_url(
            user_id=user.pk, kind=kind.name, channel=Channel.EMAIL
        )
    return context


def _pixel(html: str, log_id: int) -> str:
    image = f'<img src="{open_url(log_id)}" width="1" height="1" alt="" style="display:none">'
    index = html.lower().rfind("</body>")
    return html[:index] + image + html[index:] if index >= 0 else html + image


def notification_render(log: NotificationLog) -> Rendered | None:
    """Render a message of one of this app's kinds; None when it is not to be sent any more
    (the user is gone or turned the kind off on this channel, the device is gone)."""
    kind = KINDS[log.kind]
    channel = log.notification_type
    user = User.objects.filter(pk=log.user_id, is_active=True).first()
    if user is None or not kind_wanted(preference_for(user), kind, channel):
        return None
    if (
        channel == Channel.PUSH
        and not UserDevice.objects.filter(
            pk=log.context.get("device_id"), user_id=user.pk, is_active=True
        ).exists()
    ):
        return None
    template_type = kind.email_template if channel == Channel.EMAIL else kind.push_template
    name, subject_source, text_source, html_source = template_for(template_type)
    linked = channel != Channel.IN_APP
    context = message_context(log=log, user=user, kind=kind, linked=linked)
    try:
        subject, text, html = parts_from_strings(
            subject=subject_source,
            text=text_source,
            html=html_source if channel == Channel.EMAIL else "",
            context=context,
        )
    except TemplateSyntaxError as exc:
        raise PermanentFailure(f"template {name!r}: {exc}") from exc
    headers = {}
    if channel == Channel.EMAIL:
        if html:
            html = _pixel(html, log.pk)
        headers = {
            "List-Unsubscribe": f"<{context['unsubscribe_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
    main = context.get("movie") or (context["recommendations"] or [None])[0]
    url = main["url"] if main else preferences_page_url()
    return Rendered(
        subject=subject,
        text=text.strip() if channel != Channel.EMAIL else text,
        html=html,
        headers=headers,
        recipient=user.email if channel == Channel.EMAIL else None,
        url=url,
        data={"kind": kind.name, "log_id": log.pk},
        template_name=name,
    )


for _kind in KINDS:
    kind_renderer(_kind)(notification_render)
