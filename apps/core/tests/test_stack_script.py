"""deploy/stack/stack.sh's app environment (`stack.sh env`) and its workers' queues (`stack.sh
queues`), run from a copy of the script in a temporary root, so the real var/stack of a running
stack is never read or written."""

import os
import shutil
import subprocess
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
