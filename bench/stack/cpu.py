"""Where the CPU of a benchmark run went: each piece of the running stack (make stack) and the
rest of the machine, in milliseconds of CPU per request, from two snapshots of /proc.

    .venv/bin/python bench/stack/cpu.py snapshot FILE
    wrk ... | .venv/bin/python bench/stack/cpu.py measure FILE

``snapshot`` writes the CPU time (user and system, in seconds) of every process of every piece
of the stack, found from the stack's pid files with their descendants (granian's workers,
PostgreSQL's backends, Celery's pool), and the machine's busy and idle time (/proc/stat).
``measure`` reads wrk's JSON line (bench/stack/mix.lua) from its input; when the input ends
(wrk has finished) it takes the second snapshot and prints wrk's line with ``cpu`` added: each
piece's CPU milliseconds per request between the two snapshots, ``other`` (the rest of the
machine's busy time: the load generator, the kernel's own threads, anyone else's work), the
machine's busy share, the share the hypervisor stole (time given to other guests while this
one had work to run: on a shared host it takes cores away from every figure), and
``ceiling_rps``: the requests per second the machine's cores could
serve at that much CPU per request. In a closed loop of N connections (as wrk runs) the mean
latency is at least N / ceiling_rps: bench/stack/report.py prints that floor beside each
scenario's figures.

A process that starts and ends between the snapshots is counted in ``other`` (it is in the
machine's busy time, in no piece); a piece's process that ended is counted up to its last
snapshot only.
"""

import json
import os
import sys
from pathlib import Path

STACK = Path(__file__).resolve().parent.parent.parent / "var" / "stack"
# Each piece: the pid files of its top processes (their descendants are counted with them).
PIECES = {
    "servers": ["run/server1.pid", "run/server2.pid"],
    "postgres_primary": ["pg-primary/postmaster.pid"],
    "postgres_replica": ["pg-replica/postmaster.pid"],
    "pgbouncer": ["pgbouncer/pgbouncer.pid"],
    "nginx": ["nginx/nginx.pid"],
    "redis": ["redis/redis.pid"],
    "worker": [
        "run/worker-recommendations.pid",
        "run/worker-notifications.pid",
        "run/worker-tmdb.pid",
        "run/beat.pid",
    ],
}
TICKS = os.sysconf("SC_CLK_TCK")


def _pid_of(pidfile: Path) -> int | None:
    try:
        return int(pidfile.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _processes() -> dict[int, tuple[int, float]]:
    """Every process: pid -> (parent pid, CPU seconds)."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue  # ended meanwhile
        # The command name is in parentheses and may contain spaces: split after it.
        fields = stat[stat.rindex(")") + 2 :].split()
        found[int(entry)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / TICKS)
    return found


def _machine() -> tuple[float, float, float]:
    """The machine's busy, idle and stolen CPU seconds since boot (all cores). Stolen time is
    what the hypervisor gave other guests while this one had work: no process here used it."""
    # user nice system idle iowait irq softirq steal ...
    user, nice, system, idle, iowait, irq, softirq, steal = (
        int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:9]
    )
    busy = user + nice + system + irq + softirq
    return busy / TICKS, (idle + iowait) / TICKS, steal / TICKS


def snapshot() -> dict:
    processes = _processes()
    children: dict[int, list[int]] = {}
    for pid, (parent, _) in processes.items():
        children.setdefault(parent, []).append(pid)
    pieces = {}
    for piece, pidfiles in PIECES.items():
        seconds = {}
        todo = [pid for f in pidfiles if (pid := _pid_of(STACK / f)) in processes]
        while todo:
            pid = todo.pop()
            seconds[str(pid)] = processes[pid][1]
            todo.extend(children.get(pid, []))
        pieces[piece] = seconds
    busy, idle, steal = _machine()
    return {"pieces": pieces, "busy": busy, "idle": idle, "steal": steal, "cores": os.cpu_count()}


def report(before: dict, after: dict, requests: int) -> dict:
    per_request = {}
    counted = 0.0
    for piece, seconds in after["pieces"].items():
        earlier = before["pieces"].get(piece, {})
        # A process that began after the first snapshot started from zero.
        spent = sum(max(t - earlier.get(pid, 0.0), 0.0) for pid, t in seconds.items())
        counted += spent
        per_request[piece] = spent
    busy = after["busy"] - before["busy"]
    idle = after["idle"] - before["idle"]
    steal = after["steal"] - before["steal"]
    per_request["other"] = max(busy - counted, 0.0)
    total = sum(per_request.values())
    requests = max(requests, 1)
    line = {f"{k}_ms": round(1000 * v / requests, 2) for k, v in per_request.items()}
    line["total_ms"] = round(1000 * total / requests, 2)
    elapsed = busy + idle + steal
    line["busy_share"] = round(busy / elapsed, 3) if elapsed else 0.0
    line["steal_share"] = round(steal / elapsed, 3) if elapsed else 0.0
    line["ceiling_rps"] = round(after["cores"] * requests / total, 1) if total else None
    return line


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "snapshot":
        Path(sys.argv[2]).write_text(json.dumps(snapshot()))
    elif len(sys.argv) == 3 and sys.argv[1] == "measure":
        lines = [line for line in sys.stdin.read().splitlines() if line.startswith("{")]
        after = snapshot()  # wrk has ended: its input is closed
        before = json.loads(Path(sys.argv[2]).read_text())
        for line in lines:
            run = json.loads(line)
            run["cpu"] = report(before, after, run["requests"])
            print(json.dumps(run))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
