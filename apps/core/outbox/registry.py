"""What the outbox needs from the apps that write to it: a renderer per kind, a sender per channel.

The outbox (apps.core) sends rows it cannot understand on its own: a ``verify_email`` row needs
the accounts app to make a token and fill a template, a ``weekly_digest`` row needs the
notifications app. Each such app registers a renderer for its kinds in its AppConfig.ready()
(the hooks pattern of apps.core.hooks, keyed by kind), so the outbox never imports them.
Channels work the same way: core sends email itself, the notifications app registers push.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from apps.core.outbox.models import NotificationLog


@dataclass
class Rendered:
    """One message, ready for its channel.

    ``secrets`` are strings (tokens in links) that must not be stored: the log keeps ``text``
    with each one replaced. ``recipient`` and ``user_id``, when set, replace the row's (a reset
    asked for by address learns its account at sending time). ``url`` is where a push opens,
    ``data`` extra push fields. ``headers`` are extra email headers. ``template_name`` names the
    template row used, for the log.
    """

    subject: str
    text: str
    html: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    secrets: list[str] = field(default_factory=list)
    recipient: str | None = None
    user_id: int | None = None
    url: str = ""
    data: dict = field(default_factory=dict)
    template_name: str | None = None


class PermanentFailure(Exception):
    """Retrying cannot help (the device is gone, the address is refused): the row fails now."""


Renderer = Callable[[NotificationLog], Rendered | None]
Sender = Callable[[NotificationLog, Rendered], str | None]

_renderers: dict[str, Renderer] = {}
_senders: dict[str, Sender] = {}


def _register(table: dict, name: str, function: Callable) -> Callable:
    current = table.get(name)
    if current is not None and current is not function:
        raise RuntimeError(f"{name!r} already registered to {current!r}")
    table[name] = function
    return function


def kind_renderer(kind: str) -> Callable[[Renderer], Renderer]:
    """Decorator: ``function(log)`` renders rows of ``kind``; it returns None when there is
    nothing to send any more (the row is then skipped)."""
    return lambda function: _register(_renderers, kind, function)


def channel_sender(channel: str) -> Callable[[Sender], Sender]:
    """Decorator: ``function(log, rendered)`` delivers on ``channel`` and returns the external
    id (or None); it raises PermanentFailure when retrying cannot help, anything else to retry."""
    return lambda function: _register(_senders, channel, function)


def renderer_for(kind: str) -> Renderer | None:
    return _renderers.get(kind)


def sender_for(channel: str) -> Sender | None:
    return _senders.get(channel)
