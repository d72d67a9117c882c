"""The production HTTP server: granian serving Django through ``config.rsgi`` (request bodies
read by the event loop with a time limit, then Django in a pool of request threads). Run
``python -m config.serve``.

granian rather than gunicorn because it measured faster here: `make bench` with
BENCH_SERVER=gunicorn against the default (README, "HTTP"). Settings from the environment:

- ``SERVER_BIND``: ``host:port`` to listen on (default ``127.0.0.1:8000``);
- ``SERVER_WORKERS``: worker processes (default 2, one per core on the target machines);
- ``SERVER_THREADS``: Python threads per worker that run requests (default 2: a request
  waiting on PostgreSQL or Redis leaves the process to another; more threads only contend
  for the interpreter lock);
- ``SERVER_BODY_TIMEOUT``: seconds a client has to send a request's whole body (default 10;
  then a 408 and the connection is closed), read without holding a request thread;
- ``SERVER_HEADER_TIMEOUT``: seconds a client has to send a request's headers (default 10).

Why RSGI and not granian's WSGI interface: config/rsgi.py (stalled request bodies held every
request thread under WSGI, issue 11.1).

Prometheus counters are summed across the worker processes (multiprocess mode): each start
gets an empty metrics directory, so the counters of an earlier run are not added in.

Why this module rather than granian's CLI: the CLI takes every option set here, but it cannot
prepare the metrics directory before the workers start (create it, remove an earlier run's
files, set PROMETHEUS_MULTIPROC_DIR for the workers). Speed, measured under the WSGI
interface, is the same server's: ``bench/ab_server.sh`` (both started in turn, wrk, six
interleaved rounds on a loaded machine) measured the CLI at 1.01 to 1.18 times this module's
requests/s in two runs, within the 2269 to 3908 requests/s that single rounds of either ranged
over (docs/catalog.md).
"""

import os
import tempfile
from pathlib import Path

from granian import Granian
from granian.constants import HTTPModes, Interfaces, Loops
from granian.http import HTTP1Settings
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
    header_timeout = float(os.environ.get("SERVER_HEADER_TIMEOUT", "10"))
    return Granian(
        "config.rsgi:application",
        address=host.strip("[]") or "127.0.0.1",
        port=int(port),
        interface=Interfaces.RSGI,
        http=HTTPModes.http1,
        http1_settings=HTTP1Settings(header_read_timeout=int(header_timeout * 1000)),
        websockets=False,
        workers=int(os.environ.get("SERVER_WORKERS", "2")),
        # The request threads are config.rsgi's pool (SERVER_THREADS, read there); they are
        # never retired, so their PostgreSQL connections stay in use.
        blocking_threads=1,
        # uvloop: with asyncio's own loop the event loop's share of each request cost up to
        # half the throughput of /health/live; with uvloop it measured level with WSGI.
        loop=Loops.uvloop,
        respawn_failed_workers=True,
        log_level=LogLevels(os.environ.get("LOG_LEVEL", "INFO").lower()),
    )


if __name__ == "__main__":
    server().serve()
