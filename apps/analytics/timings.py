"""Request timings per endpoint and day, kept as histograms: cheap to record, mergeable.

``RequestTimingMiddleware`` adds each request's duration to this process's histogram of its
endpoint (the URL pattern with the method, e.g. ``GET api/v1/movies/<id:movie_id>/``): a dict
increment under a lock. At most every ANALYTICS_TIMINGS_SEND_SECONDS the request that finds it
due sends the whole histogram as one entry to the "timings" buffer (one RPUSH per process per
10 s), and ``timings_flush`` (with the activity flush) adds the entries to ``request_timings``
rows (day, endpoint, bucket) in SQL. ``aggregate_metrics`` reads the day's buckets for p50, p95
and p99. Buckets grow by 10 %: a percentile is reported within 5 % of the true duration.
What a process has not sent when it stops (at most 10 s of requests) is lost.
"""

import json
import logging
import math
import threading
import time
from collections import defaultdict
from datetime import UTC, datetime

from django.conf import settings
from django.db import connections, transaction

from apps.analytics.buffer import buffer
from apps.analytics.models import RequestTiming
from apps.core.logging import log_once
from apps.core.routers import analytics_alias

logger = logging.getLogger(__name__)

BASE_MS = 0.05
RATIO = 1.1
_LOG_RATIO = math.log(RATIO)
MAX_BUCKET = 200  # 0.05 ms * 1.1 ** 200: about 9.5 hours


def bucket_of(ms: float) -> int:
    if ms <= BASE_MS:
        return 0
    return min(MAX_BUCKET, int(math.log(ms / BASE_MS) / _LOG_RATIO))


def bucket_value(bucket: int) -> float:
    """The duration a bucket stands for: the geometric middle of its bounds, in ms."""
    return BASE_MS * RATIO ** (bucket + 0.5)


class TimingHistograms:
    """This process's counts since it last sent them: {(day, endpoint, bucket): [n, errors]}."""

    def __init__(self) -> None:
        self._counts: dict[tuple[str, str, int], list[int]] = defaultdict(lambda: [0, 0])
        self._lock = threading.Lock()
        self._sent_at = time.monotonic()

    def add(self, endpoint: str, ms: float, error: bool) -> None:
        day = datetime.now(UTC).date().isoformat()
        key = (day, endpoint[:200], bucket_of(ms))
        with self._lock:
            counts = self._counts[key]
            counts[0] += 1
            counts[1] += error
            due = time.monotonic() - self._sent_at >= settings.ANALYTICS_TIMINGS_SEND_SECONDS
        if due:
            self.send()

    def send(self) -> None:
        """Append what was counted to the timings buffer (one entry); kept on failure."""
        with self._lock:
            counts, self._counts = self._counts, defaultdict(lambda: [0, 0])
            self._sent_at = time.monotonic()
        if not counts:
            return
        entry = [
            [day, endpoint, bucket, n, errors]
            for (day, endpoint, bucket), (n, errors) in counts.items()
        ]
        try:
            buffer("timings").push(json.dumps(entry, separators=(",", ":")).encode())
        except Exception as exc:  # noqa: BLE001 - timing never fails a request
            with self._lock:
                for key, (n, errors) in counts.items():
                    self._counts[key][0] += n
                    self._counts[key][1] += errors
            log_once(logger, "timings_buffer_failed", "timings_buffer_failed", error=str(exc))

    def clear(self) -> None:
        with self._lock:
            self._counts.clear()


histograms = TimingHistograms()


def timings_flush(*, max_entries: int = 5000) -> int:
    """Add the buffered histograms to ``request_timings``; returns the rows touched."""
    target = buffer("timings")
    entries = target.take(max_entries)
    if not entries:
        return 0
    merged: dict[tuple[str, str, int], list[int]] = defaultdict(lambda: [0, 0])
    for raw in entries:
        try:
            for day, endpoint, bucket, n, errors in json.loads(raw):
                counts = merged[(day, str(endpoint)[:200], int(bucket))]
                counts[0] += int(n)
                counts[1] += int(errors)
        except (ValueError, TypeError):
            log_once(logger, "timings_entry_unreadable", "timings_entry_unreadable")
    rows = [
        (day, endpoint, bucket, n, errors)
        for (day, endpoint, bucket), (n, errors) in merged.items()
    ]
    alias = analytics_alias()
    connection = connections[alias]
    table = connection.ops.quote_name(RequestTiming._meta.db_table)
    try:
        with transaction.atomic(using=alias), connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {table} (day, endpoint, bucket, count, errors) "  # noqa: S608
                "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (day, endpoint, bucket) DO UPDATE SET "
                f"count = {table}.count + EXCLUDED.count, "
                f"errors = {table}.errors + EXCLUDED.errors",
                rows,
            )
    except Exception as exc:  # noqa: BLE001 - kept for the next flush
        target.give_back(entries)
        log_once(logger, "timings_write_failed", "timings_write_failed", error=str(exc))
        return 0
    return len(rows)


class RequestTimingMiddleware:
    """Times every request (the rest of the middleware stack and the view) by endpoint."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        ms = (time.perf_counter() - started) * 1000
        match = getattr(request, "resolver_match", None)
        route = match.route if match is not None else "<unmatched>"
        histograms.add(f"{request.method} {route}", ms, response.status_code >= 500)
        return response
