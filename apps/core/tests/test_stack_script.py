"""deploy/stack/stack.sh's app environment (`stack.sh env`), run from a copy of the script in a
temporary root, so the real var/stack of a running stack is never read or written."""

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


def throttles(root: Path, **env: str) -> dict[str, str]:
    """THROTTLE_ANON and THROTTLE_USER as `stack.sh env` exports them."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("STACK_")}
    output = subprocess.run(
        ["bash", str(root / "deploy" / "stack" / "stack.sh"), "env"],
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    ).stdout
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
