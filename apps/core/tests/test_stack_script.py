"""deploy/stack/stack.sh's app environment (`stack.sh env`), its workers' queues (`stack.sh
queues`) and the app processes started again on other code (`stack.sh apps`, with stand-ins
for the server and celery), run from a copy of the script in a temporary root, so the real
var/stack of a running stack is never read or written."""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

SCRIPTS = Path(settings.BASE_DIR) / "deploy" / "stack"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "deploy" / "stack").mkdir(parents=True)
    for name in ("stack.sh", "ports.sh"):
        shutil.copy(SCRIPTS / name, tmp_path / "deploy" / "stack" / name)
    (tmp_path / "var" / "stack").mkdir(parents=True)
    return tmp_path


def stack(root: Path, command: str, **env: str) -> str:
    """The output of `stack.sh COMMAND` with no STACK_* variable but ``env``."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("STACK_")}
    return subprocess.run(
        ["bash", str(root / "deploy" / "stack" / "stack.sh"), command],
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    ).stdout


def throttles(root: Path, **env: str) -> dict[str, str]:
    """THROTTLE_ANON and THROTTLE_USER as `stack.sh env` exports them."""
    output = stack(root, "env", **env)
    found = {}
    for line in output.splitlines():
        for word in line.removeprefix("export ").split():
            name, _, value = word.partition("=")
            if name in {"THROTTLE_ANON", "THROTTLE_USER"}:
                found[name] = value
    return found


def test_the_defaults_without_kept_throttles(root):
    assert throttles(root) == {"THROTTLE_ANON": "120/min", "THROTTLE_USER": "600/min"}


def test_the_throttles_the_stack_was_started_with_are_kept(root):
    # What `start` wrote: a later start, `use` or drill without STACK_THROTTLE_* keeps them.
    (root / "var" / "stack" / "throttles").write_text("60000000/min 50000000/min\n")
    assert throttles(root) == {"THROTTLE_ANON": "60000000/min", "THROTTLE_USER": "50000000/min"}


def test_a_throttle_given_replaces_the_kept_one(root):
    (root / "var" / "stack" / "throttles").write_text("60000000/min 50000000/min\n")
    assert throttles(root, STACK_THROTTLE_USER="5/min") == {
        "THROTTLE_ANON": "60000000/min",
        "THROTTLE_USER": "5/min",
    }


def queues(root: Path, **env: str) -> dict[str, str]:
    """Each worker's queues as `stack.sh queues` lists them ("" for a worker not started)."""
    found = {}
    for line in stack(root, "queues", **env).splitlines():
        name, _, consumed = line.partition(" ")
        found[name] = consumed.strip()
    return found


def test_every_queue_is_consumed_by_default(root):
    assert queues(root) == {
        "worker-recommendations": "recommendations",
        "worker-notifications": "notifications,default",
        "worker-tmdb": "tmdb",
    }


def test_a_skipped_queue_is_left_out_and_a_worker_with_none_left_is_not_started(root):
    assert queues(root, STACK_SKIP_QUEUES="notifications,tmdb") == {
        "worker-recommendations": "recommendations",
        "worker-notifications": "default",
        "worker-tmdb": "",
    }


def test_the_skipped_queues_the_stack_was_started_with_are_kept_until_set_empty(root):
    (root / "var" / "stack" / "skip_queues").write_text("notifications\n")
    assert queues(root)["worker-notifications"] == "default"
    assert queues(root, STACK_SKIP_QUEUES="")["worker-notifications"] == "notifications,default"


FAKE_SERVER = """#!/bin/sh
# A stand-in for the production server: answers 200 on SERVER_BIND until SIGTERM.
exec {python} -c '
import http.server, os
host, _, port = os.environ["SERVER_BIND"].rpartition(":")
class Answer(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.end_headers()
    def log_message(self, *args):
        pass
http.server.HTTPServer((host, int(port)), Answer).serve_forever()
'
"""


def _free_port_base() -> int:
    """A base whose next two ports nothing listens on (the fake servers' ports)."""
    for base in range(41000, 60000, 97):
        sockets = []
        try:
            for offset in (1, 2):
                probe = socket.socket()
                sockets.append(probe)
                probe.bind(("127.0.0.1", base + offset))
            return base
        except OSError:
            continue
        finally:
            for probe in sockets:
                probe.close()
    raise RuntimeError("no free ports")


def _environ(pid: int) -> list[bytes]:
    """The process's environment. It reads as empty while the process is between two execs
    (the stand-in for celery runs nohup, nice, sh, then sleep), so it is read again for a few
    seconds until it is not."""
    for _ in range(50):
        environ = Path(f"/proc/{pid}/environ").read_bytes()
        if environ:
            return environ.split(b"\0")
        time.sleep(0.1)
    return []


def _started(root: Path) -> dict[str, int]:
    return {
        path.stem: int(path.read_text())
        for path in (root / "var" / "stack" / "run").glob("*.pid")
        if path.read_text().strip()
    }


def test_apps_restarts_the_app_processes_on_the_code_named(root, tmp_path_factory):
    """`STACK_CODE=dir stack.sh apps` (bench/stack/ab.sh): the running app processes stopped
    and waited for, the new ones run from dir with dir first on the import path, each pidfile
    holding the process itself."""
    code = tmp_path_factory.mktemp("other-code")
    (code / "deploy").mkdir()
    (code / "deploy" / "serve.sh").write_text(FAKE_SERVER.format(python=sys.executable))
    (code / "deploy" / "serve.sh").chmod(0o755)
    celery = root / ".venv" / "bin" / "celery"
    celery.parent.mkdir(parents=True)
    celery.write_text("#!/bin/sh\nexec sleep 300\n")
    celery.chmod(0o755)
    run = root / "var" / "stack" / "run"
    run.mkdir()
    (root / "var" / "stack" / "env").write_text("export STACK_TEST=1\n")
    old = subprocess.Popen(["sleep", "300"])  # the server on the other code
    (run / "server1.pid").write_text(f"{old.pid}\n")
    try:
        stack(
            root,
            "apps",
            STACK_CODE=str(code),
            STACK_PORT_BASE=str(_free_port_base()),
            STACK_SKIP_QUEUES="",
        )
        assert old.wait(timeout=5) is not None  # stopped before the new one started
        started = _started(root)
        assert set(started) == {
            "server1",
            "server2",
            "worker-recommendations",
            "worker-notifications",
            "worker-tmdb",
            "beat",
        }
        for pid in started.values():
            assert Path(f"/proc/{pid}/cwd").resolve() == code.resolve()
            assert f"PYTHONPATH={code.resolve()}".encode() in _environ(pid)
    finally:
        old.kill()
        for pid in _started(root).values():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
