"""Domain errors and the one mapping from exceptions to HTTP responses in the envelope.

Services raise ``ApplicationError`` subclasses (or let Django and DRF errors through); views
never build error responses themselves.
"""

import logging
import math
import sqlite3
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DatabaseError, IntegrityError, InterfaceError, OperationalError
from django.http import Http404
from rest_framework import exceptions as drf
from rest_framework.response import Response
from rest_framework.views import set_rollback

from apps.core.envelope import error_body

logger = logging.getLogger(__name__)


class ApplicationError(Exception):
    """An error a client can act on: it carries an HTTP status, a code and details."""

    status_code = 400
    code = "bad_request"
    default_message = "The request could not be processed."

    def __init__(
        self,
        message: str | None = None,
        *,
        details: Any = None,
        headers: dict[str, str] | None = None,
        code: str | None = None,
    ) -> None:
        self.message = message or self.default_message
        self.details = details
        self.headers = headers or {}
        if code:
            self.code = code
        super().__init__(self.message)


class InvalidInput(ApplicationError):
    status_code = 400
    code = "validation_error"
    default_message = "Invalid input."


class NotFound(ApplicationError):
    status_code = 404
    code = "not_found"
    default_message = "Not found."


class Conflict(ApplicationError):
    status_code = 409
    code = "conflict"
    default_message = "The request conflicts with the current state; retry it."


class PayloadTooLarge(ApplicationError):
    status_code = 413
    code = "payload_too_large"
    default_message = "The request body is too large."


class ServiceUnavailable(ApplicationError):
    status_code = 503
    code = "service_unavailable"
    default_message = "A service this request needs is unavailable; try again later."


# SQLSTATE classes (PostgreSQL, appendix A) that say the database cannot serve now, not that the
# statement is wrong: connection exception, transaction rollback (serialization failure,
# deadlock), insufficient resources, operator intervention (shutdown, cannot connect now,
# statement timeout), system error; and lock_not_available.
_UNAVAILABLE_SQLSTATE_CLASSES = {"08", "40", "53", "57", "58"}
_UNAVAILABLE_SQLSTATES = {"55P03"}
# SQLite has no SQLSTATE: OperationalError covers both a locked or unreachable file and a
# wrong statement ("no such table"), told apart by the message.
_SQLITE_UNAVAILABLE = ("locked", "busy", "unable to open", "disk i/o", "disk is full")


def database_unavailable(exc: BaseException) -> bool:
    """Whether a database error means the database is unreachable or cannot serve now (503:
    retry later), rather than a bug in the statement or the schema (500).

    Issue 11.16: every DatabaseError used to be a 503, so a code bug or an unmigrated table
    looked like an outage. Interface errors (the connection is gone) and operational errors
    whose SQLSTATE is in an availability class are 503; an operational error without a
    SQLSTATE is a failure to reach the server. Programming, data, integrity and internal
    errors are 500s.
    """
    if isinstance(exc, InterfaceError):
        return True
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__
    if isinstance(cause, sqlite3.Error):
        text = str(cause).lower()
        return any(marker in text for marker in _SQLITE_UNAVAILABLE)
    sqlstate = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
    if not sqlstate:
        return True
    return sqlstate[:2] in _UNAVAILABLE_SQLSTATE_CLASSES or sqlstate in _UNAVAILABLE_SQLSTATES


def _flatten_detail(detail: Any) -> Any:
    """DRF ErrorDetail trees to plain strings, lists and dicts."""
    if isinstance(detail, dict):
        return {str(key): _flatten_detail(value) for key, value in detail.items()}
    if isinstance(detail, list | tuple):
        return [_flatten_detail(item) for item in detail]
    return str(detail)


def _validation_details(detail: Any) -> dict:
    flat = _flatten_detail(detail)
    if isinstance(flat, dict):
        return flat
    return {"non_field_errors": flat if isinstance(flat, list) else [flat]}


def _first_message(details: dict, fallback: str) -> str:
    for field, errors in details.items():
        first = errors[0] if isinstance(errors, list) and errors else errors
        if isinstance(first, str):
            return first if field == "non_field_errors" else f"{field}: {first}"
    return fallback


def _response(status: int, code: str, message: str, details: Any = None, headers=None) -> Response:
    response = Response(error_body(code, message, details), status=status, headers=headers)
    return response


_DRF_CODES = {
    drf.ParseError: "parse_error",
    drf.AuthenticationFailed: "authentication_failed",
    drf.NotAuthenticated: "not_authenticated",
    drf.PermissionDenied: "permission_denied",
    drf.NotFound: "not_found",
    drf.MethodNotAllowed: "method_not_allowed",
    drf.NotAcceptable: "not_acceptable",
    drf.UnsupportedMediaType: "unsupported_media_type",
    drf.Throttled: "throttled",
}


def exception_handler(exc: Exception, context: dict) -> Response:
    """DRF's EXCEPTION_HANDLER: every exception becomes an enveloped response."""
    if isinstance(exc, ApplicationError):
        return _response(exc.status_code, exc.code, exc.message, exc.details, exc.headers)

    if isinstance(exc, Http404):
        return _response(404, "not_found", "Not found.")
    if isinstance(exc, DjangoPermissionDenied):
        return _response(403, "permission_denied", "You do not have permission to do this.")
    if isinstance(exc, RequestDataTooBig):
        return _response(413, "payload_too_large", PayloadTooLarge.default_message)
    if isinstance(exc, DjangoValidationError):
        details = _validation_details(
            exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        )
        return _response(
            400, "validation_error", _first_message(details, "Invalid input."), details
        )
    if isinstance(exc, SuspiciousOperation):
        return _response(400, "bad_request", "The request was malformed.")

    if isinstance(exc, drf.ValidationError):
        details = _validation_details(exc.detail)
        return _response(
            400, "validation_error", _first_message(details, "Invalid input."), details
        )

    if isinstance(exc, drf.APIException):
        headers = {}
        auth_header = getattr(exc, "auth_header", None)
        if auth_header:
            headers["WWW-Authenticate"] = auth_header
        if isinstance(exc, drf.Throttled):
            headers["Retry-After"] = str(max(1, math.ceil(exc.wait or 1)))
        code = next((c for cls, c in _DRF_CODES.items() if isinstance(exc, cls)), None)
        detail = exc.detail
        message = str(detail) if not isinstance(detail, dict | list) else "Request failed."
        details = _flatten_detail(detail) if isinstance(detail, dict | list) else None
        set_rollback()
        return _response(exc.status_code, code or str(exc.default_code), message, details, headers)

    if isinstance(exc, IntegrityError):
        # A unique or foreign-key race lost to a concurrent request: the client may retry.
        logger.warning("integrity_conflict", exc_info=exc)
        set_rollback()
        return _response(409, Conflict.code, Conflict.default_message)
    if isinstance(exc, DatabaseError) and database_unavailable(exc):
        logger.error("database_unavailable", exc_info=exc)
        set_rollback()
        return _response(503, ServiceUnavailable.code, ServiceUnavailable.default_message)

    logger.error("unhandled_exception", exc_info=exc)
    set_rollback()
    return _response(500, "server_error", "An unexpected error occurred; quote the request id.")
