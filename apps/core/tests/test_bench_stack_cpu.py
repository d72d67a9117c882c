"""bench/stack/cpu.py: where a stack benchmark run's CPU went, per request (issue 16)."""

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def _load(name: str, relative: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / relative)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def cpu():
    return _load("bench_stack_cpu", "bench/stack/cpu.py")


def _snapshot(pieces, busy, idle, steal=0.0):
    return {"pieces": pieces, "busy": busy, "idle": idle, "steal": steal, "cores": 2}


def test_report_divides_each_piece_by_the_requests(cpu):
    before = _snapshot({"servers": {"10": 1.0, "11": 2.0}, "redis": {"30": 5.0}}, 100.0, 50.0)
    after = _snapshot(
        # 12 began between the snapshots: counted from zero.
        {"servers": {"10": 2.0, "11": 3.0, "12": 0.5}, "redis": {"30": 5.25}},
        104.0,
        55.0,
        steal=1.0,
    )
    line = cpu.report(before, after, 1000)
    assert line["servers_ms"] == 2.5  # (1 + 1 + 0.5) s over 1,000 requests
    assert line["redis_ms"] == 0.25
    assert line["other_ms"] == 1.25  # 4 s busy, 2.75 s of it in the pieces
    assert line["total_ms"] == 4.0
    assert line["busy_share"] == 0.4  # 4 of 10 s: 4 busy, 5 idle, 1 stolen
    assert line["steal_share"] == 0.1
    assert line["ceiling_rps"] == 500.0  # 2 cores at 4 ms of CPU a request


def test_report_takes_the_load_generators_cpu_out_of_other(cpu):
    before = _snapshot({"servers": {"10": 1.0}}, 100.0, 50.0)
    after = _snapshot({"servers": {"10": 3.0}}, 104.0, 56.0)
    line = cpu.report(before, after, 1000, load=0.5)
    assert line["servers_ms"] == 2.0
    assert line["load_ms"] == 0.5  # wrk's 0.5 s over 1,000 requests
    assert line["other_ms"] == 1.5  # 4 s busy: 2 in the servers, 0.5 in wrk
    assert line["total_ms"] == 4.0
    # Never more than the busy time no piece used (a clock read off by a tick).
    line = cpu.report(before, after, 1000, load=9.0)
    assert line["load_ms"] == 2.0 and line["other_ms"] == 0.0 and line["total_ms"] == 4.0
    assert "load_ms" not in cpu.report(before, after, 1000)  # unknown: left in "other"


def test_report_counts_no_negative_time_and_survives_no_requests(cpu):
    # A pid reused by a new process with less CPU than the old one had: not negative.
    before = _snapshot({"servers": {"10": 9.0}}, 10.0, 0.0)
    after = _snapshot({"servers": {"10": 1.0}}, 10.0, 0.0)
    line = cpu.report(before, after, 0)
    assert line["servers_ms"] == 0.0
    assert line["other_ms"] == 0.0
    assert line["busy_share"] == 0.0
    assert line["ceiling_rps"] is None


@pytest.mark.skipif(not Path("/proc/stat").exists(), reason="needs Linux's /proc")
def test_snapshot_finds_a_piece_and_its_descendants_from_the_pid_file(cpu, tmp_path, monkeypatch):
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        (tmp_path / "run").mkdir()
        (tmp_path / "run" / "server1.pid").write_text(f"{os.getpid()}\n")
        (tmp_path / "redis").mkdir()
        (tmp_path / "redis" / "redis.pid").write_text("not a pid\n")
        monkeypatch.setattr(cpu, "STACK", tmp_path)
        taken = cpu.snapshot()
    finally:
        child.kill()
        child.wait()
    assert set(taken["pieces"]["servers"]) >= {str(os.getpid()), str(child.pid)}
    assert taken["pieces"]["redis"] == {}  # unreadable pid file: nothing, no error
    assert taken["pieces"]["nginx"] == {}  # no pid file
    assert taken["busy"] > 0 and taken["idle"] >= 0 and taken["steal"] >= 0
    json.dumps(taken)


def test_measure_adds_the_cpu_to_wrks_line(cpu, tmp_path, monkeypatch, capsys):
    before = tmp_path / "before.json"
    before.write_text(json.dumps(_snapshot({"servers": {}}, 10.0, 10.0)))
    monkeypatch.setattr(cpu, "snapshot", lambda: _snapshot({"servers": {}}, 12.0, 10.0))
    wrk = json.dumps({"name": "like", "requests": 400, "rps": 40.0, "load_cpu_s": 0.4})
    monkeypatch.setattr(sys, "stdin", _Lines(f"Running 10s test\n{wrk}\n"))
    monkeypatch.setattr(sys, "argv", ["cpu.py", "measure", str(before)])
    cpu.main()
    line = json.loads(capsys.readouterr().out)
    assert line["name"] == "like" and line["rps"] == 40.0
    assert line["cpu"]["total_ms"] == 5.0  # 2 s over 400 requests
    assert line["cpu"]["load_ms"] == 1.0  # wrk's own 0.4 s, from its line
    assert line["cpu"]["other_ms"] == 4.0  # the rest, in no piece
    assert line["cpu"]["ceiling_rps"] == 400.0


def test_report_table_shows_the_latency_floor(tmp_path, capsys):
    report = _load("bench_stack_report", "bench/stack/report.py")
    run = {
        "requests": 1000,
        "rps": 100.0,
        "p50_ms": 400.0,
        "p99_ms": 700.0,
        "connect_errors": 0,
        "read_errors": 0,
        "write_errors": 0,
        "timeouts": 0,
        "status_5xx": 0,
        "status_4xx": 0,
        "status_429": 0,
    }
    cpu = {"servers_ms": 5.0, "other_ms": 5.0, "total_ms": 10.0, "busy_share": 0.9}
    cpu |= {"steal_share": 0.05, "ceiling_rps": 200.0}
    results = tmp_path / "seed.jsonl"
    results.write_text(
        json.dumps({"label": "seed", "connections": 50, "duration": 10})
        + "\n"
        + json.dumps({**run, "name": "like", "cpu": cpu})
        + "\n"
    )
    assert report.main([str(results)]) == 0
    out = capsys.readouterr().out
    assert "| like | seed | 100 | 400.0 | 700.0 | 0 | 0 | 0 | - | - | MISSED |" in out
    # 50 connections at a ceiling of 200 requests/s: at least 250 ms each on average.
    assert "| like | seed | 10.00 | 5.00 | - | - | - | - | - | - | 5.00 | 90 % | 5 % " in out
    assert out.rstrip().endswith("| 200.0 | 250 |")


def test_report_table_shows_the_load_generator_beside_the_stack(tmp_path, capsys):
    report = _load("bench_stack_report", "bench/stack/report.py")
    zero = dict.fromkeys(
        ("connect_errors", "read_errors", "write_errors", "timeouts", "status_5xx"), 0
    )
    zero |= {"status_4xx": 0, "status_429": 0, "requests": 1000, "rps": 100.0}
    pieces = ("servers", "postgres_primary", "postgres_replica", "pgbouncer", "nginx", "redis")
    cpu = {f"{piece}_ms": 1.0 for piece in pieces} | {"worker_ms": 0.5, "load_ms": 1.25}
    cpu |= {"other_ms": 0.25, "total_ms": 8.0, "busy_share": 0.9, "ceiling_rps": 250.0}
    results = tmp_path / "round.jsonl"
    results.write_text(
        json.dumps({"label": "round", "connections": 50, "duration": 10})
        + "\n"
        + json.dumps({**zero, "name": "like", "p50_ms": 400.0, "p99_ms": 700.0, "cpu": cpu})
        + "\n"
    )
    assert report.main([str(results)]) == 0
    out = capsys.readouterr().out
    assert "| worker, beat | load generator | other | machine busy |" in out
    # PostgreSQL is the primary's and the replica's together.
    assert "| like | round | 8.00 | 1.00 | 2.00 | 1.00 | 1.00 | 1.00 | 0.50 | 1.25 | 0.25 | " in out


def test_report_table_shows_each_scenario_as_a_share_of_health_live(tmp_path, capsys):
    report = _load("bench_stack_report", "bench/stack/report.py")
    zero = dict.fromkeys(
        ("connect_errors", "read_errors", "write_errors", "timeouts", "status_5xx"), 0
    )
    zero |= {"status_4xx": 0, "status_429": 0}
    results = tmp_path / "round.jsonl"
    rows = [
        {"label": "round", "connections": 50, "duration": 10},
        {**zero, "name": "reference:lists", "rps": 3000.0, "p50_ms": 15.0, "p99_ms": 60.0},
        {**zero, "name": "lists", "rps": 2310.0, "p50_ms": 21.0, "p99_ms": 55.9},
        {**zero, "name": "like", "rps": 99.0, "p50_ms": 511.0, "p99_ms": 1039.2},
    ]
    results.write_text("".join(json.dumps(row) + "\n" for row in rows))
    assert report.main([str(results)]) == 0
    out = capsys.readouterr().out
    assert "| lists | round | 2310 | 21.0 | 55.9 | 0 | 0 | 0 | 60.0 (3000) | 0.770 | met |" in out
    # No reference run for the like: no share.
    assert "| like | round | 99 | 511.0 | 1039.2 | 0 | 0 | 0 | - | - | MISSED |" in out


class _Lines:
    def __init__(self, text: str) -> None:
        self.text = text

    def read(self) -> str:
        return self.text


def test_report_counts_ended_processes_through_their_parent(cpu):
    # PostgreSQL's postmaster (20) reaped a backend (21) that had used 3 s by the first
    # snapshot and 3.5 s in all, and an autovacuum worker that began and ended between the
    # snapshots (0.5 s): 1 s of the run. A backend (23) of a postmaster that ended too (22)
    # is counted up to the first snapshot: nothing of the run.
    before = {
        **_snapshot({"postgres": {"20": 1.0, "21": 3.0, "22": 1.0, "23": 2.0}}, 100.0, 0.0),
        "reaped": {"postgres": {"20": [4.0, 1], "21": [0.0, 20], "22": [0.0, 1], "23": [0.0, 22]}},
    }
    after = {
        **_snapshot({"postgres": {"20": 1.25}}, 102.0, 0.0),
        "reaped": {"postgres": {"20": [8.0, 1]}},
    }
    line = cpu.report(before, after, 1000)
    assert line["postgres_ms"] == 1.25  # 0.25 s of its own and 1 s of ended children
    assert line["other_ms"] == 0.75


@pytest.mark.skipif(not Path("/proc/stat").exists(), reason="needs Linux's /proc")
def test_a_child_that_ends_between_snapshots_counts_for_its_piece(cpu, tmp_path, monkeypatch):
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "server1.pid").write_text(f"{os.getpid()}\n")
    monkeypatch.setattr(cpu, "STACK", tmp_path)
    before = cpu.snapshot()
    burn = "import time\nend = time.process_time() + 0.5\nwhile time.process_time() < end: pass"
    subprocess.run([sys.executable, "-c", burn], check=True)  # ended and reaped
    line = cpu.report(before, cpu.snapshot(), 1)
    # Its half second of CPU, and this process's own between the snapshots.
    assert line["servers_ms"] >= 500
