"""Per-request context shared by logging, the database router and the error handler."""

import re
import uuid
from contextvars import ContextVar

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)

# A client may send its own X-Request-ID; we keep it only if it is short and plain.
_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")


def request_id_from_header(value: str | None) -> str:
    if value and _SANE_REQUEST_ID.match(value):
        return value
    return uuid.uuid4().hex


def current_request_id() -> str | None:
    return request_id_var.get()
