"""JSON log lines on stdout, each carrying the request id of the request that wrote it.

The lines are python-json-logger's (``JSONFormatter`` only names the fields): ``time`` (UTC, ISO
8601 to the millisecond), ``level``, ``logger``, ``message``, ``request_id``, every ``extra``
field, and ``exception`` with the traceback. It replaced a hand-written formatter of the same
output after measuring no slower where it runs (``bench/ab_infrastructure.py logging``:
in-process, interleaved rounds, medians; docs/catalog.md has the figures). A cached answer with
its access line written took 0.97 to 1.03 times as long (noise either way); formatting one line
alone took 0.5 microseconds more (1.05 times, in CPU time), a thousandth of that answer. The
benchmark logs at WARNING, so it formats no access line with either. structlog's formatter for
standard library records took 1.5 times as long per line, and would have added a second
logging pipeline beside the standard library's, which Django, Celery and granian write to.

``SecretRedactingFilter`` sits on every handler (the ``stdout`` handler here, Celery's through
config/celery.py): the values of the secret settings and credentials in URLs
(``api_key=...``, ``token=...``, ``Bearer ...``) never reach a line, whichever library wrote it.
It is the second net: the TMDb client keeps its key out of every URL httpx sees in the first
place (apps.tmdb.client).
"""

import logging
import re
import threading
import time

from django.conf import settings
from pythonjsonlogger.json import JsonFormatter

from apps.core.context import current_request_id


class RequestContextFilter(logging.Filter):
    """Puts the request id on a record: the current request's, or, for a line written after
    the request's context ended, the id of the request the record carries. Django writes its
    ``django.request`` line of an error answer (a 503 included) that way, once the outermost
    middleware has returned."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = current_request_id() or getattr(
                getattr(record, "request", None), "request_id", None
            )
        return True


# Settings whose values are secrets; values shorter than this are not worth hunting (a
# test key such as "x" would blank every x).
SECRET_SETTINGS = (
    "SECRET_KEY",
    "TMDB_API_KEY",
    "TMDB_READ_TOKEN",
    "EMAIL_HOST_PASSWORD",
    "METRICS_TOKEN",
    "VAPID_PRIVATE_KEY",
)
_MIN_SECRET_LENGTH = 8
REDACTED = "[redacted]"
_CREDENTIAL_IN_TEXT = re.compile(
    r"(?i)(\b(?:api_key|apikey|access_token|refresh_token|token|password|secret)=)[^&\s\"'<>]+"
    r"|(\bBearer\s+)[A-Za-z0-9._~+/=-]+"
)
# LogRecord attributes that are not ``extra`` fields.
_RECORD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message",
    "asctime",
    "request_id",
}


def _secret_values() -> list[str]:
    values = (getattr(settings, name, "") for name in SECRET_SETTINGS)
    return [v for v in values if isinstance(v, str) and len(v) >= _MIN_SECRET_LENGTH]


def redact(text: str, secrets: list[str] | None = None) -> str:
    """``text`` with secret setting values and URL or header credentials replaced."""
    for secret in _secret_values() if secrets is None else secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    return _CREDENTIAL_IN_TEXT.sub(lambda m: (m.group(1) or m.group(2)) + REDACTED, text)


class SecretRedactingFilter(logging.Filter):
    """Redacts secrets from a record's message, string extras, traceback and stack."""

    def filter(self, record: logging.LogRecord) -> bool:
        secrets = _secret_values()
        message = record.getMessage()
        cleaned = redact(message, secrets)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        if record.exc_info:
            # Formatted once here (formatters reuse exc_text), so the traceback is redacted too.
            if not record.exc_text:
                record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
        if record.exc_text:
            record.exc_text = redact(record.exc_text, secrets)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, secrets)
        for name, value in vars(record).items():
            if name not in _RECORD_ATTRIBUTES and isinstance(value, str):
                cleaned = redact(value, secrets)
                if cleaned != value:
                    setattr(record, name, cleaned)
        return True


class JSONFormatter(JsonFormatter):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(
            "%(levelname)s %(name)s %(message)s %(request_id)s",
            rename_fields={"levelname": "level", "name": "logger", "exc_info": "exception"},
            timestamp="time",
            json_default=str,
        )

    def process_log_record(self, log_data: dict) -> dict:
        log_data["level"] = log_data["level"].lower()
        return {"time": log_data.pop("time").isoformat(timespec="milliseconds"), **log_data}


class _Once:
    """Remembers when each key was last logged, so an outage is logged once per window."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last: dict[str, float] = {}

    def should_log(self, key: str, window: float) -> bool:
        now = time.monotonic()
        with self._lock:
            last = self._last.get(key)
            if last is not None and now - last < window:
                return False
            self._last[key] = now
            return True

    def reset(self) -> None:
        with self._lock:
            self._last.clear()


log_once_registry = _Once()


def log_once(logger: logging.Logger, key: str, message: str, *, window: float = 60.0, **extra):
    """Log ``message`` at warning level at most once per ``window`` seconds for ``key``."""
    if log_once_registry.should_log(key, window):
        logger.warning(message, extra=extra)


class OutageOncePerInterval(logging.Filter):
    """For a logger that a library writes one traceback per ignored error to (django-redis
    logs every error it swallows at ERROR with the traceback: 68 of them for 179 requests in
    one Redis outage, issue 11.10): the first record of each ``window`` seconds passes, turned
    into one warning line ``message`` with the error's text and how many were dropped since the
    last line; the others are dropped. Configured in LOGGING (config/settings/base.py)."""

    def __init__(
        self, message: str = "cache_unavailable", window: float = 60.0, key: str | None = None
    ) -> None:
        super().__init__()
        self.message = message
        # The log_once key: shared with the code's own log_once calls for the same outage, so
        # the outage is one line per window whichever part noticed it first.
        self.key = key or message
        self.window = window
        self._dropped = 0
        self._lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        if not log_once_registry.should_log(self.key, self.window):
            with self._lock:
                self._dropped += 1
            return False
        with self._lock:
            dropped, self._dropped = self._dropped, 0
        error = record.exc_info[1] if record.exc_info else None
        record.msg, record.args = self.message, ()
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        record.error = f"{type(error).__name__}: {error}" if error else record.getMessage()
        record.dropped_since_last = dropped
        record.interval_seconds = self.window
        return True
