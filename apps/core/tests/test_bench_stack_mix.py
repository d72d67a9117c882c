"""bench/stack/mix.lua, the wrk script of the stack benchmark and drills, driven by the real wrk
against a local server (issue 16)."""

import json
import os
import shutil
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]

pytestmark = pytest.mark.skipif(
    shutil.which("wrk") is None, reason="needs wrk (Debian's; `make stack-packages` installs it)"
)


class _Recorder(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as wrk expects
    seen: list
    answers = {"GET": 200, "POST": 201, "DELETE": 404}

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.seen.append(
            (
                self.command,
                self.path,
                self.headers.get("Authorization"),
                self.headers.get("Content-Type"),
                self.headers.get("Content-Length"),
                body,
            )
        )
        self.send_response(self.answers[self.command])
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    do_GET = do_POST = do_DELETE = _answer

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def recorder():
    seen: list = []
    handler = type("Recorder", (_Recorder,), {"seen": seen})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


def test_each_line_is_sent_as_written_and_the_run_reports_wrks_own_cpu(recorder, tmp_path):
    url, seen = recorder
    mix = tmp_path / "mix.txt"
    mix.write_text(
        "GET\t/api/v1/movies/?page=2\ttoken-a\n"
        'POST\t/api/v1/movies/7/like/\ttoken-b\t{"source": "web"}\n'
        "DELETE\t/api/v1/movies/8/like/\t\n"
    )
    env = os.environ | {"BENCH_MIX": str(mix), "BENCH_NAME": "probe"}
    done = subprocess.run(
        ["wrk", "-t", "1", "-c", "2", "-d", "1s", "-s", str(ROOT / "bench/stack/mix.lua"), url],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    line = json.loads(next(row for row in done.stdout.splitlines() if row.startswith("{")))
    assert line["name"] == "probe"
    assert line["requests"] > 0 and line["load_cpu_s"] > 0
    kinds = {request[:2]: request[2:] for request in seen}
    assert kinds == {
        ("GET", "/api/v1/movies/?page=2"): ("Bearer token-a", None, None, b""),
        ("POST", "/api/v1/movies/7/like/"): (
            "Bearer token-b",
            "application/json",
            "17",
            b'{"source": "web"}',
        ),
        ("DELETE", "/api/v1/movies/8/like/"): (None, "application/json", "0", b""),
    }
    # Answers are counted by class; a request the server took as wrk stopped may be unanswered.
    deletes = sum(1 for request in seen if request[0] == "DELETE")
    assert 0 < line["status_4xx"] <= deletes
    assert line["status_5xx"] == 0 and line["status_other"] == 0
