"""SIGTERM to the production server (deploy/serve.sh, the command every deployment runs):
requests in flight finish, then the process exits. Kubernetes sends SIGTERM when it stops a pod,
`make stack-stop` and the stack's drills do too."""

import json
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_serving(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stdout.read()
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
                sock.sendall(b"GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                if sock.recv(64).startswith(b"HTTP/1.1 200"):
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("the server did not start")


def test_sigterm_lets_a_request_in_flight_finish_then_the_server_exits(tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "SERVER_BIND": f"127.0.0.1:{port}",
        "SERVER_WORKERS": "1",
        "PYTHON": str(Path(os.sys.executable)),
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
        "LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None)
    process = subprocess.Popen(
        [str(Path(settings.BASE_DIR) / "deploy" / "serve.sh")],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_until_serving(port, process)
        # A body the API refuses before any database work (the database here is empty): the
        # answer is a 400 in the envelope, whole.
        body = json.dumps({"username": "", "password": "", "padding": "x" * 40}).encode()
        head = (
            f"POST /api/v1/auth/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
            "Connection: close\r\n\r\n"
        ).encode()
        client = socket.create_connection(("127.0.0.1", port), timeout=10)
        # The request is in flight: its headers and half its body are sent when SIGTERM comes.
        client.sendall(head + body[:10])
        time.sleep(0.3)
        process.send_signal(signal.SIGTERM)
        time.sleep(1.0)
        client.sendall(body[10:])
        answer = b""
        while chunk := client.recv(65536):
            answer += chunk
        client.close()
        status_line, _, rest = answer.partition(b"\r\n")
        assert status_line == b"HTTP/1.1 400 Bad Request", answer[:300]
        assert json.loads(rest.partition(b"\r\n\r\n")[2])["success"] is False
        assert process.wait(timeout=20) == 0
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
