"""The production server's application: Django's WSGI handler behind granian's RSGI interface,
with request bodies read by the event loop, bounded in time and size, before a request thread is
taken. ``config.serve`` serves it.

Why not granian's WSGI interface (issue 11.1; measured with /tmp scripts like
``apps/core/tests/test_serve.py``'s stalled clients, 2 processes): granian hands a WSGI request
to a Python thread as soon as its headers have arrived, and ``wsgi.input`` reads the body from
that thread, blocking inside granian, with no timeout. With 2 threads per process, 50 clients
that send ``Content-Length: 1000`` and three bytes, then wait, left every other request
unanswered (five of five timed out at 10 s); with 64 threads per process the others were
answered, but no stalled connection was ever dropped, and more stalled clients than threads
freeze it again. granian's ``header_read_timeout`` covers the headers only, and no other setting
(backpressure, runtime threads or mode) bounds a body; the application cannot either, since
the blocked thread is inside granian.

Here the body is read by the event loop (an idle coroutine per slow client, no thread), within
``SERVER_BODY_TIMEOUT`` seconds in all (default 10): a client that has not sent its whole body by
then gets a 408 and its connection is closed. A body larger than DATA_UPLOAD_MAX_MEMORY_SIZE is
refused with a 413 as soon as it is known to be (its Content-Length, or the bytes received so
far), without reading the rest. Only then does the request go to one of ``SERVER_THREADS``
threads, which run Django exactly as under WSGI, with the whole body in ``wsgi.input``.

Chunked request bodies (``Transfer-Encoding: chunked``, issue 11.11) arrive here whole, like any
other, and Django is given their length as CONTENT_LENGTH: Django reads no body without one, so
under granian's WSGI a chunked login arrived empty ("username: This field is required").
"""

import asyncio
import gc
import io
import itertools
import json
import os
import sys
from concurrent.futures import ThreadPoolExecutor

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

from django.conf import settings
from django.core.wsgi import get_wsgi_application

from apps.core.signals import process_stopping_send

_SPECIAL = {"content-type": "CONTENT_TYPE", "content-length": "CONTENT_LENGTH"}

# The heap is frozen when the application is loaded and once more after this many requests, when
# what Django and DRF load on first use (views, serializers, URL patterns, templates) is loaded.
FREEZE_AFTER_REQUESTS = 2000


def freeze_heap() -> None:
    """Collect, then move every object alive now out of the cyclic collector's reach (gc.freeze).

    A full collection walks every tracked object while holding the interpreter lock: in a loaded
    Django process (about 150,000 objects) it took 127 to 143 ms here, and it ran every few
    hundred requests, so it was the p99 of every endpoint (/health/live: p50 21 ms, p99 120 to
    145 ms at 50 connections). What is alive after start-up lives as long as the process (modules,
    URL patterns, settings, querysets' classes); frozen, a full collection walks only what requests
    left behind. Unreachable cycles are collected first, so nothing garbage is frozen; a frozen
    object dropped later is still freed by reference counting, and only a cycle of frozen
    objects that becomes unreachable stays (what the second freeze can catch is bounded by what
    2,000 requests leave alive)."""
    gc.collect()
    gc.freeze()


def _error(status: int, code: str, message: str) -> tuple[int, list, bytes]:
    body = {"success": False, "error": {"code": code, "message": message, "details": None}}
    headers = [("content-type", "application/json"), ("connection", "close")]
    return status, headers, json.dumps(body).encode()


def _address(value: str) -> tuple[str, str]:
    host, _, port = value.rpartition(":")
    return host.strip("[]") or value, port


class DjangoRSGI:
    """An RSGI application running a WSGI callable in a bounded pool of threads."""

    def __init__(self, wsgi=None, threads: int | None = None) -> None:
        self.wsgi = wsgi or get_wsgi_application()
        self.threads = threads or int(os.environ.get("SERVER_THREADS", "2"))
        self.body_timeout = float(os.environ.get("SERVER_BODY_TIMEOUT", "10"))
        self.pool = ThreadPoolExecutor(self.threads, thread_name_prefix="request")
        self.base_environ = {
            "SCRIPT_NAME": "",
            "SERVER_SOFTWARE": "granian-rsgi",
            "wsgi.errors": sys.stderr,
            "wsgi.multiprocess": True,
            "wsgi.multithread": True,
            "wsgi.run_once": False,
            "wsgi.version": (1, 0),
            "wsgi.input_terminated": True,
        }
        self.served = itertools.count(1)  # next() is atomic under the interpreter lock
        freeze_heap()

    def __rsgi_del__(self, loop) -> None:
        self.pool.shutdown(wait=True)
        # A granian worker ends without atexit: what the requests left in memory goes now.
        process_stopping_send()

    async def __rsgi__(self, scope, protocol) -> None:
        if scope.proto != "http":
            return
        environ = self._environ(scope)
        length = environ.get("CONTENT_LENGTH")
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        body = b""
        if chunked or (length and length != "0"):
            refused, body = await self._read_body(protocol, length, chunked)
            if refused is not None:
                protocol.response_bytes(*refused)
                return
            environ["CONTENT_LENGTH"] = str(len(body))
            environ.pop("HTTP_TRANSFER_ENCODING", None)
        environ["wsgi.input"] = io.BytesIO(body)
        loop = asyncio.get_running_loop()
        status, headers, content = await loop.run_in_executor(self.pool, self._call, environ)
        protocol.response_bytes(status, headers, content)

    async def _read_body(self, protocol, length: str | None, chunked: bool):
        """(None, body), or (a refusal to send, b"") for a body too large or too slow."""
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if not chunked:
            try:
                declared = int(length or "0")
            except ValueError:
                return _error(400, "bad_request", "The Content-Length is not a number."), b""
            if limit is not None and declared > limit:
                return _error(413, "payload_too_large", "The request body is too large."), b""
        parts, size = [], 0
        try:
            async with asyncio.timeout(self.body_timeout):
                async for chunk in protocol:
                    parts.append(chunk)
                    size += len(chunk)
                    if limit is not None and size > limit:
                        refusal = _error(413, "payload_too_large", "The request body is too large.")
                        return refusal, b""
        except TimeoutError:
            message = f"The request body did not arrive within {self.body_timeout:g} s."
            return _error(408, "request_timeout", message), b""
        return None, b"".join(parts)

    def _environ(self, scope) -> dict:
        environ = dict(self.base_environ)
        server_host, server_port = _address(scope.server)
        client_host, client_port = _address(scope.client)
        environ.update(
            REQUEST_METHOD=scope.method,
            # granian gives the path percent-decoded as text; PEP 3333 wants its bytes carried
            # in a latin-1 str.
            PATH_INFO=scope.path.encode("utf-8", "surrogateescape").decode("latin-1"),
            QUERY_STRING=scope.query_string,
            SERVER_NAME=server_host,
            SERVER_PORT=server_port,
            REMOTE_ADDR=client_host,
            REMOTE_PORT=client_port,
            SERVER_PROTOCOL=f"HTTP/{scope.http_version}",
        )
        environ["wsgi.url_scheme"] = scope.scheme
        for name, value in scope.headers.items():
            key = _SPECIAL.get(name) or "HTTP_" + name.upper().replace("-", "_")
            if key in environ and key.startswith("HTTP_"):
                environ[key] += "," + value
            else:
                environ[key] = value
        return environ

    def _call(self, environ: dict) -> tuple[int, list, bytes]:
        """Run Django in this request thread; the whole answer, its iterable closed here (the
        request_finished signal, which returns database connections, fires in this thread)."""
        started = []

        def start_response(status, headers, exc_info=None):
            started[:] = [int(status.split(" ", 1)[0]), headers]

        result = self.wsgi(environ, start_response)
        try:
            content = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        if next(self.served) == FREEZE_AFTER_REQUESTS:
            freeze_heap()
        return started[0], started[1], content


application = DjangoRSGI()
