"""The production HTTP server: granian serving ``config.wsgi``. Run ``python -m config.serve``.

granian rather than gunicorn because it measured faster here: `make bench` with
BENCH_SERVER=gunicorn against the default (README, "HTTP"). Settings from the environment:

- ``SERVER_BIND``: ``host:port`` to listen on (default ``127.0.0.1:8000``);
- ``SERVER_WORKERS``: worker processes (default 2, one per core on the target machines);
- ``SERVER_THREADS``: Python threads per worker that run requests (default 2: a request
  waiting on PostgreSQL or Redis leaves the process to another; more threads only contend
  for the interpreter lock).

Prometheus counters are summed across the worker processes (multiprocess mode): each start
gets an empty metrics directory, so the counters of an earlier run are not added in.

Why this module rather than granian's CLI: the CLI takes every option set here (the thread idle
time included), but it cannot prepare the metrics directory before the workers start (create
it, remove an earlier run's files, set PROMETHEUS_MULTIPROC_DIR for the workers). Speed is the
same server's: ``bench/ab_server.sh`` (both started in turn, wrk, six interleaved rounds on a
loaded machine) measured the CLI at 1.01 to 1.18 times this module's requests/s in two runs,
within the 2269 to 3908 requests/s that single rounds of either ranged over (docs/catalog.md).
"""

import os
import tempfile
from pathlib import Path

from granian import Granian
from granian.constants import HTTPModes, Interfaces
from granian.log import LogLevels


def metrics_directory() -> str:
    """PROMETHEUS_MULTIPROC_DIR (or a new temporary directory), without an earlier run's files."""
    path = Path(os.environ.get("PROMETHEUS_MULTIPROC_DIR") or tempfile.mkdtemp(prefix="nexus-"))
    path.mkdir(parents=True, exist_ok=True)
    for stale in path.glob("*.db"):  # prometheus_client's files only, whatever else is there
        stale.unlink(missing_ok=True)
    return str(path)


def server() -> Granian:
    host, _, port = os.environ.get("SERVER_BIND", "127.0.0.1:8000").rpartition(":")
    # Workers inherit the environment, so each writes its metrics where /metrics reads them.
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_directory()
    return Granian(
        "config.wsgi:application",
        address=host.strip("[]") or "127.0.0.1",
        port=int(port),
        interface=Interfaces.WSGI,
        http=HTTPModes.http1,
        websockets=False,
        workers=int(os.environ.get("SERVER_WORKERS", "2")),
        blocking_threads=int(os.environ.get("SERVER_THREADS", "2")),
        # granian retires a request thread idle this long (30 s by default, 600 at most). A
        # retired thread's PostgreSQL connection stays open until Python's cycle collector
        # frees Django's connection object, so threads are kept as long as granian allows.
        blocking_threads_idle_timeout=600,
        respawn_failed_workers=True,
        log_level=LogLevels(os.environ.get("LOG_LEVEL", "INFO").lower()),
    )


if __name__ == "__main__":
    server().serve()
