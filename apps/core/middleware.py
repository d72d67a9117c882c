"""Request context (apps.core.context), primary-pinning scope for the router, timing, bad bytes;
a database outage outside DRF answered 503; a read a failed replica answered 503 read again
from the primary."""

import logging
import time
from functools import partial
from urllib.parse import unquote

from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.messages.storage import default_storage
from django.db import DatabaseError
from django.http import HttpResponse, JsonResponse
from django.utils.functional import SimpleLazyObject, empty

from apps.core import replicas, routers
from apps.core.context import (
    RequestContext,
    request_context_enter,
    request_context_exit,
    request_id_from_header,
)
from apps.core.envelope import error_body
from apps.core.exceptions import ServiceUnavailable, database_unavailable

logger = logging.getLogger("apps.core.access")


class RequestContextMiddleware:
    """Outermost middleware.

    Gives every request an id (a sane incoming X-Request-ID is kept) and returns it, makes the
    request's context current (apps.core.context: its id in every log line, its client for
    services), refuses NUL and control bytes in the path or query string with a 400
    (PostgreSQL cannot store them), and logs one access line with the duration.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_from_header(request.META.get("HTTP_X_REQUEST_ID"))
        request.request_id = request_id  # for lines written after the context ends (logging)
        context_token = request_context_enter(RequestContext(request_id, request.META))
        scope_tokens = routers.begin_request_scope(
            request.method or "GET", user=lambda: _authenticated_user_id(request)
        )
        started = time.perf_counter()
        try:
            if _has_control_bytes(request):
                response = JsonResponse(
                    error_body("bad_request", "The path or query string has control characters."),
                    status=400,
                )
            else:
                response = self.get_response(request)
            duration_ms = (time.perf_counter() - started) * 1000
            response["X-Request-ID"] = request_id
            response["Server-Timing"] = f"app;dur={duration_ms:.1f}"
            logger.info(
                "request",
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round(duration_ms, 2),
                },
            )
            return response
        finally:
            routers.end_request_scope(scope_tokens)
            request_context_exit(context_token)


def _authenticated_user_id(request) -> int | None:
    """The user DRF authenticated for this request (it sets ``request.user`` here too), without
    loading a session user that nothing asked for."""
    user = request.__dict__.get("user")
    if isinstance(user, SimpleLazyObject) and user._wrapped is empty:
        return None  # nothing read the session user: not worth a query now
    if user is not None and getattr(user, "is_authenticated", False):
        return user.pk
    return None


def _has_control_bytes(request) -> bool:
    raw_query = request.META.get("QUERY_STRING", "")
    for text in (request.path, unquote(raw_query)):
        if any(ord(char) < 32 or ord(char) == 127 for char in text):
            return True
    return False


_UNAVAILABLE_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Service unavailable</title></head>
<body><h1>Service unavailable</h1>
<p>The database cannot be reached. Try again in a moment.</p></body></html>
"""


class DatabaseUnavailableMiddleware:
    """Views outside DRF (the admin, its login page included) answer 503 when the database is
    unreachable, as DRF views do (apps.core.exceptions), instead of Django's 500: an HTML page
    under /admin/, the error envelope elsewhere. Any other database error stays a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not (isinstance(exception, DatabaseError) and database_unavailable(exception)):
            return None
        logging.getLogger("apps.core.exceptions").error("database_unavailable", exc_info=exception)
        if request.path.startswith("/admin/"):
            response = HttpResponse(_UNAVAILABLE_PAGE, status=503, content_type="text/html")
        else:
            body = error_body(ServiceUnavailable.code, ServiceUnavailable.default_message)
            response = JsonResponse(body, status=503)
        response["Retry-After"] = "5"
        return response


class ReplicaRetryMiddleware:
    """Innermost middleware: a safe request (GET, HEAD, OPTIONS) answered 503 because a read
    replica failed under it is answered once more, reading from the primary.

    When a replica stops, the reads running on it fail, and so do those PgBouncer is asked
    for before this process has marked the replica down (``apps.core.replicas
    .replica_failed``: the query that fails marks it): each such request was answered 503
    (issue 16's replica drills: 0 to 5 requests an outage). Running the view again is safe
    for these: a request reads from the primary from its first write on (apps.core.routers),
    so a replica read that failed came before any write of the request. What the first
    attempt did outside the database is done twice: its throttles count the request twice.
    Any other request, any other answer, and a second 503 are left as they are.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in routers.SAFE_METHODS or not routers.replica_aliases():
            return self.get_response(request)
        token = replicas.request_failures_watch()
        try:
            response = self.get_response(request)
            failed = replicas.request_failures_seen()
            if response.status_code != 503 or not failed:
                return response
            logging.getLogger("apps.core.replicas").warning(
                "replica_read_retried", extra={"aliases": failed}
            )
            routers.request_read_primary()
            return self.get_response(request)
        finally:
            replicas.request_failures_unwatch(token)


class LazyMessageMiddleware(MessageMiddleware):
    """Django's message middleware with the storage made on first use.

    Only the admin shows messages, yet Django's middleware builds the storage (a cookie
    storage with its signer, a session storage) for every request: about 3 % of a logged-in
    API request's CPU, measured. Here the storage is built when something adds, reads or
    counts a message, and a response after which nothing did has nothing to store.
    """

    def process_request(self, request):
        request._messages = SimpleLazyObject(partial(default_storage, request))

    def process_response(self, request, response):
        storage = getattr(request, "_messages", None)
        if isinstance(storage, SimpleLazyObject) and storage._wrapped is empty:
            return response
        return super().process_response(request, response)
