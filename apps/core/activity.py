"""Activity events: how any app reports what a user did, for analytics, without importing it.

Analytics sits at the top of the layers and nothing imports it (docs/architecture.md). An app
that has something to report calls ``activity_emit_on_commit``; once the current transaction
commits, ``activity_happened`` is sent to whoever listens (the analytics app stores one
activity log row per event; another app may listen too). A rolled-back write reports nothing,
and a failing listener is logged and never fails the write (apps.core.signals).

``activity_happened`` kwargs: ``event`` (the action name, seed 002 section 5.1's where it has
one: "movie_view", "rating_submit", "favorite_add"...), ``user_id`` and ``movie_id`` (ids or
None: the analytics store may be another database, so no model instances cross over),
``metadata`` (a JSON-ready dict), ``source`` ("web", "mobile", "email", "push", "import") and
``context`` (the apps.core.context.RequestContext of the request that reported the event, taken
when it was reported, so an event sent after commit still names its client; the analytics app
reads the client's address and agent from it). Services pass no HTTP request.
"""

from functools import partial

from django.db import transaction
from django.dispatch import Signal

from apps.core.context import RequestContext, request_context
from apps.core.signals import signal_send_robust

activity_happened = Signal()


def activity_emit(
    *,
    event: str,
    user_id: int | None = None,
    movie_id: int | None = None,
    metadata: dict | None = None,
    source: str = "web",
    context: RequestContext | None = None,
) -> None:
    """Send ``activity_happened`` now (robustly: a failing listener is only logged), with
    ``context`` or else the current request's."""
    signal_send_robust(
        activity_happened,
        sender=None,
        event=event,
        user_id=user_id,
        movie_id=movie_id,
        metadata=metadata or {},
        source=source,
        context=context or request_context(),
    )


def activity_emit_on_commit(**event) -> None:
    """``activity_emit(**event)`` once the current transaction on the main database commits
    (nothing if it rolls back), with the context of the request reporting it now."""
    event.setdefault("context", request_context())
    transaction.on_commit(partial(activity_emit, **event), robust=True)
