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
"""

import logging
import threading
import time

from pythonjsonlogger.json import JsonFormatter

from apps.core.context import current_request_id


class RequestContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = current_request_id()
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
