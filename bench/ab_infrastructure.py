"""In-process A/B timings of hand-written infrastructure against the library that could replace
it (the reasons written in apps/core/logging.py, apps/core/metrics.py and apps/tmdb/breaker.py).

Usage, after ``make bench`` has filled the benchmark database (any migrated database works):

  DATABASE_URL=postgres://... REDIS_URL=redis://.../N .venv/bin/python bench/ab_infrastructure.py \
      {logging,metrics,breaker} [--rounds 41] [--iterations 2000]

Each round times A then B, alternating which goes first, for ``--iterations`` calls each, on the
same objects in one process, so the machine's noise falls on both sides alike. It prints the
median over the rounds of the time per call of each side and the ratio B/A. ``--clock cpu``
counts this process's CPU time instead of wall time.

- ``logging``: the hand-written JSON formatter apps.core.logging had (A, kept here) against
  python-json-logger as apps.core.logging now sets it up and structlog, writing the same
  fields, formatting an access-log record; then a cached anonymous answer through Django's WSGI
  handler with the access line written to /dev/null, A against python-json-logger.
- ``metrics``: a cached anonymous answer through Django's WSGI handler with the project's
  RequestMetricsMiddleware (A) against django-prometheus's own middleware pair (B), in
  multiprocess mode as the production server runs it.
- ``breaker``: one guarded call that succeeds, with the breaker's state in Redis: the project's
  CircuitBreaker (A) against pybreaker with its Redis storage (B); then four threads each making
  one 20 ms call, to see whether calls wait for one another.

structlog and pybreaker are not dependencies of the project: install them in the virtual
environment to run those parts (``pip install structlog pybreaker``).
"""

import argparse
import io
import logging
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.bench",
    "SECRET_KEY": "ab-" + "k" * 60,
    "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "EMAIL_URL": "console:",
    "FRONTEND_URL": "http://127.0.0.1",
    "PUBLIC_URL": "http://127.0.0.1",
    "SECURE_SSL_REDIRECT": "false",
    "SESSION_COOKIE_SECURE": "false",
    "CSRF_COOKIE_SECURE": "false",
    "THROTTLE_ANON": "60000000/min",
    "THROTTLE_USER": "60000000/min",
    "LOG_LEVEL": "WARNING",
}
for name, value in ENV.items():
    os.environ.setdefault(name, value)
# Multiprocess mode, as config/serve.py runs the server: chosen when prometheus_client loads.
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="nexus-ab-"))

import django  # noqa: E402

django.setup()


CLOCK = {"wall": time.perf_counter, "cpu": time.process_time}
clock = time.perf_counter


def compare(name_a, run_a, name_b, run_b, rounds: int, iterations: int) -> None:
    """Print the median microseconds per call of each side over ``rounds`` and the ratio."""
    times = {name_a: [], name_b: []}
    for warm in (run_a, run_b):
        warm(iterations // 4 or 1)
    for index in range(rounds):
        order = [(name_a, run_a), (name_b, run_b)]
        for name, run in order if index % 2 == 0 else reversed(order):
            started = clock()
            run(iterations)
            times[name].append((clock() - started) / iterations * 1e6)
    median_a, median_b = statistics.median(times[name_a]), statistics.median(times[name_b])
    print(f"  {name_a}: {median_a:.2f} us per call (median of {rounds} rounds x {iterations})")
    print(f"  {name_b}: {median_b:.2f} us per call")
    print(f"  ratio {name_b} / {name_a}: {median_b / median_a:.3f}")


# WSGI requests ---------------------------------------------------------------------------------


def environ(path: str) -> dict:
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


def handler_with(middleware: list[str]):
    from django.core.handlers.wsgi import WSGIHandler
    from django.test import override_settings

    with override_settings(MIDDLEWARE=middleware):
        return WSGIHandler()


def requester(handler, path: str):
    statuses = []

    def start_response(status, headers, exc_info=None):
        statuses.append(status)

    def run(count: int) -> None:
        for _ in range(count):
            response = handler(environ(path), start_response)
            b"".join(response)
            response.close()
        if not statuses[-1].startswith("200"):
            raise SystemExit(f"{path} answered {statuses[-1]}")

    return run


# Logging ---------------------------------------------------------------------------------------


class HandWrittenFormatter(logging.Formatter):
    """The formatter apps.core.logging had before python-json-logger, kept here to compare."""

    _RESERVED = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}

    def format(self, record: logging.LogRecord) -> str:
        import json
        from datetime import UTC, datetime

        payload = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        for key, value in record.__dict__.items():
            if key not in self._RESERVED and key not in payload and not key.startswith("_"):
                payload[key] = value
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return json.dumps(payload, default=str)


def structlog_formatter():
    """structlog's formatter for standard library records, writing the same fields."""
    import structlog

    def lower_level(logger, method, event):
        event["level"] = event["level"].lower()
        return event

    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[
            structlog.stdlib.add_log_level,
            lower_level,
            structlog.stdlib.add_logger_name,
            structlog.stdlib.ExtraAdder(),
            structlog.processors.TimeStamper(fmt="iso", key="time", utc=True),
        ],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.EventRenamer("message"),
            structlog.processors.JSONRenderer(default=str),
        ],
    )


def access_record() -> logging.LogRecord:
    record = logging.LogRecord("apps.core.access", logging.INFO, __file__, 1, "request", (), None)
    record.__dict__.update(method="GET", path="/api/v1/movies/popular/", status=200)
    record.__dict__.update(duration_ms=0.21, request_id="3f2c9a7e5b1d4c8fa0e6b2d9c4f1a7e3")
    return record


def ab_logging(rounds: int, iterations: int) -> None:
    import json

    from django.conf import settings

    from apps.core.logging import JSONFormatter, RequestContextFilter

    hand_written, library, structlog_one = (
        HandWrittenFormatter(),
        JSONFormatter(),
        structlog_formatter(),
    )
    record = access_record()
    assert json.loads(library.format(record)) == json.loads(hand_written.format(record))
    print("python-json-logger line:", library.format(record))
    print("structlog line:         ", structlog_one.format(record))

    def formatting(formatter):
        return lambda count: [formatter.format(record) for _ in range(count)]

    print("format() of one access-log record:")
    compare(
        "hand-written",
        formatting(hand_written),
        "python-json-logger",
        formatting(library),
        rounds,
        iterations * 5,
    )
    compare(
        "hand-written",
        formatting(hand_written),
        "structlog",
        formatting(structlog_one),
        rounds,
        iterations * 5,
    )

    stream = open(os.devnull, "w")  # noqa: SIM115 - open for the whole run
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestContextFilter())
    access = logging.getLogger("apps.core.access")
    access.setLevel(logging.INFO)
    access.addHandler(handler)
    access.propagate = False
    run = requester(handler_with(settings.MIDDLEWARE), "/api/v1/genres/")

    def with_formatter(formatter):
        def timed(count):
            handler.setFormatter(formatter)
            run(count)

        return timed

    print("a cached anonymous answer (GET /api/v1/genres/) with its access line written:")
    compare(
        "hand-written",
        with_formatter(hand_written),
        "python-json-logger",
        with_formatter(library),
        rounds,
        iterations,
    )


# Metrics ---------------------------------------------------------------------------------------


def ab_metrics(rounds: int, iterations: int) -> None:
    from django.conf import settings

    ours = list(settings.MIDDLEWARE)
    library = [name for name in ours if name != "apps.core.metrics.RequestMetricsMiddleware"]
    library = [
        "django_prometheus.middleware.PrometheusBeforeMiddleware",
        *library,
        "django_prometheus.middleware.PrometheusAfterMiddleware",
    ]
    print("a cached anonymous answer (GET /api/v1/genres/) through the WSGI handler:")
    compare(
        "RequestMetricsMiddleware",
        requester(handler_with(ours), "/api/v1/genres/"),
        "django-prometheus pair",
        requester(handler_with(library), "/api/v1/genres/"),
        rounds,
        iterations,
    )
    print("the bare reference view (GET /api/v1/bench/reference/):")
    compare(
        "RequestMetricsMiddleware",
        requester(handler_with(ours), "/api/v1/bench/reference/"),
        "django-prometheus pair",
        requester(handler_with(library), "/api/v1/bench/reference/"),
        rounds,
        iterations,
    )


# Breaker ---------------------------------------------------------------------------------------


def ab_breaker(rounds: int, iterations: int) -> None:
    import pybreaker
    from django.core.cache import caches

    from apps.tmdb.breaker import CircuitBreaker

    redis = caches["default"].client.get_client(write=True)

    def ours_factory():
        return CircuitBreaker("ab", threshold=5, cooldown=30)

    def library_factory():
        storage = pybreaker.CircuitRedisStorage(pybreaker.STATE_CLOSED, redis, namespace="ab")
        return pybreaker.CircuitBreaker(fail_max=5, reset_timeout=30, state_storage=storage)

    ours, library = ours_factory(), library_factory()

    def call():
        return None

    def guarded_ours(count):
        for _ in range(count):
            if ours.allow():
                call()
                ours.record_success()

    def guarded_library(count):
        for _ in range(count):
            library.call(call)

    print("one guarded call that succeeds (state in Redis, closed):")
    compare("CircuitBreaker", guarded_ours, "pybreaker", guarded_library, rounds, iterations // 4)

    def slow_call():
        time.sleep(0.02)

    def four_threads(guard):
        def run(count):
            for _ in range(count):
                threads = [threading.Thread(target=guard) for _ in range(4)]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join()

        return run

    def ours_slow():
        breaker = ours_factory()  # TMDbClient makes one per client; the state is in Redis
        if breaker.allow():
            slow_call()
            breaker.record_success()

    shared = library_factory()  # pybreaker's state objects and listeners live on the instance

    print("four threads, each one guarded 20 ms call (wall time of the four):")
    compare(
        "CircuitBreaker",
        four_threads(ours_slow),
        "pybreaker",
        four_threads(lambda: shared.call(slow_call)),
        max(5, rounds // 4),
        5,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=["logging", "metrics", "breaker"])
    parser.add_argument("--rounds", type=int, default=41)
    parser.add_argument("--iterations", type=int, default=2000)
    parser.add_argument(
        "--clock",
        choices=sorted(CLOCK),
        default="wall",
        help="wall time, or this process's CPU time (less disturbed by other jobs' CPU use, "
        "blind to time spent waiting for Redis or PostgreSQL)",
    )
    args = parser.parse_args()
    global clock
    clock = CLOCK[args.clock]
    {"logging": ab_logging, "metrics": ab_metrics, "breaker": ab_breaker}[args.what](
        args.rounds, args.iterations
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
