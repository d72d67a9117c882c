"""bench/stack/ab_report.py: the before and after columns of an alternated comparison through
the stack (bench/stack/ab.sh, issue 16)."""

import importlib.util
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def ab():
    sys.path.insert(0, str(ROOT / "bench" / "stack"))  # ab_report imports report beside it
    try:
        spec = importlib.util.spec_from_file_location(
            "bench_stack_ab_report", ROOT / "bench" / "stack" / "ab_report.py"
        )
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.path.remove(str(ROOT / "bench" / "stack"))


def _write(directory: Path, label: str, runs: dict[str, tuple[float, float, float]]) -> None:
    """A result file as bench/stack/run.sh writes it: the header, then each scenario's run with
    its reference; ``runs`` maps a scenario to (requests/s, p99 ms, CPU ms a request)."""
    lines = [{"label": label, "connections": 50, "duration": 10}]
    for name, (rps, p99, cpu) in runs.items():
        lines.append({"name": f"reference:{name}", "rps": 4000.0, "p99_ms": 30.0})
        lines.append({"name": name, "rps": rps, "p99_ms": p99, "cpu": {"total_ms": cpu}})
    (directory / f"{label}.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))


def test_pairs_medians_and_the_pairs_where_after_cost_less(ab, tmp_path):
    _write(tmp_path, "x-before-1", {"like": (300, 210.0, 6.0)})
    _write(tmp_path, "x-after-1", {"like": (330, 190.0, 5.5)})
    _write(tmp_path, "x-before-2", {"like": (280, 230.0, 6.4)})
    _write(tmp_path, "x-after-2", {"like": (270, 240.0, 6.6)})
    _write(tmp_path, "x-before-3", {"like": (310, 200.0, 5.8)})
    _write(tmp_path, "x-after-3", {"like": (340, 180.0, 5.2)})
    before = ab.side_runs("x", "before", 3, tmp_path)
    after = ab.side_runs("x", "after", 3, tmp_path)
    lines = ab.table(before, after)
    assert lines[2] == "| like | 1 | 300 | 210.0 | 6.00 | 330 | 190.0 | 5.50 |"
    assert lines[5] == "| like | median | 300 | 210.0 | 6.00 | 330 | 190.0 | 5.50 |"
    assert lines[6].startswith("| like | after cheaper | 2 of 3 pairs |")
    assert not any("reference" in line for line in lines)


def test_a_pair_without_its_file_is_shown_empty_and_left_out_of_the_counts(ab, tmp_path):
    _write(tmp_path, "x-before-1", {"like": (300, 210.0, 6.0)})
    _write(tmp_path, "x-after-1", {"like": (330, 190.0, 5.5)})
    _write(tmp_path, "x-before-2", {"like": (280, 230.0, 6.4)})  # its after round failed
    lines = ab.table(
        ab.side_runs("x", "before", 2, tmp_path), ab.side_runs("x", "after", 2, tmp_path)
    )
    assert lines[3] == "| like | 2 | 280 | 230.0 | 6.40 | - | - | - |"
    assert lines[4] == "| like | median | 290 | 220.0 | 6.20 | 330 | 190.0 | 5.50 |"
    assert lines[5].startswith("| like | after cheaper | 1 of 1 pairs |")
