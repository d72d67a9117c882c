"""Where the CPU of a benchmark run went: each piece of the running stack (make stack) and the
rest of the machine, in milliseconds of CPU per request, from two snapshots of /proc.

    .venv/bin/python bench/stack/cpu.py snapshot FILE
    wrk ... | .venv/bin/python bench/stack/cpu.py measure FILE

``snapshot`` writes the CPU time (user and system, in seconds) of every process of every piece
of the stack, found from the stack's pid files with their descendants (granian's workers,
PostgreSQL's backends, Celery's pool), and the machine's busy and idle time (/proc/stat).
``measure`` reads wrk's JSON line (bench/stack/mix.lua) from its input; when the input ends
(wrk has finished) it takes the second snapshot and prints wrk's line with ``cpu`` added: each
piece's CPU milliseconds per request between the two snapshots, ``load`` (wrk's own CPU, which
mix.lua reports as ``load_cpu_s``: the load generator shares the machine's cores with the
stack), ``other`` (the rest of the machine's busy time: the kernel's own threads, anyone else's
work, and wrk's on a line without ``load_cpu_s``), the machine's busy share, the share the
hypervisor stole (time given to other guests while this one had work to run: on a shared host
it takes cores away from every figure), and ``ceiling_rps``: the requests per second the
machine's cores could serve at that much CPU per request. In a closed loop of N connections (as
wrk runs) the mean latency is at least N / ceiling_rps: bench/stack/report.py prints that floor
beside each scenario's figures.

A process of a piece that ends between the snapshots is counted in full when its parent, still
running, has reaped it: the kernel adds a reaped child's CPU to its parent's (``cutime`` and
``cstime`` in /proc), so the parent's growth in that total counts it, less what the child had
used by the first snapshot; one whose parent ended too is counted up to the first snapshot.
So PostgreSQL's autovacuum workers and the backends that start and end within a run count as
PostgreSQL's (they were in ``other`` before). A process that starts and ends between the
snapshots outside every piece is counted in ``other`` (it is in the machine's busy time, in no
piece).
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


def _processes() -> dict[int, tuple[int, float, float]]:
    """Every process: pid -> (parent pid, its own CPU seconds, the CPU seconds of its children
    that ended and that it reaped)."""
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
        # utime, stime, then cutime, cstime (man 5 proc), in clock ticks.
        own, reaped = int(fields[11]) + int(fields[12]), int(fields[13]) + int(fields[14])
        found[int(entry)] = (int(fields[1]), own / TICKS, reaped / TICKS)
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
    for pid, (parent, _, _) in processes.items():
        children.setdefault(parent, []).append(pid)
    pieces, reaped = {}, {}
    for piece, pidfiles in PIECES.items():
        seconds, of_children = {}, {}
        todo = [pid for f in pidfiles if (pid := _pid_of(STACK / f)) in processes]
        while todo:
            pid = todo.pop()
            parent, seconds[str(pid)], reaped_seconds = processes[pid]
            of_children[str(pid)] = [reaped_seconds, parent]
            todo.extend(children.get(pid, []))
        pieces[piece], reaped[piece] = seconds, of_children
    busy, idle, steal = _machine()
    return {
        "pieces": pieces,
        "reaped": reaped,
        "busy": busy,
        "idle": idle,
        "steal": steal,
        "cores": os.cpu_count(),
    }


def _spent(before: dict, after: dict, piece: str) -> float:
    """The CPU seconds a piece used between two snapshots (the module's doc: a process that
    ended counts through its parent's reaped children's time, when the parent is still there)."""
    own_before, own_after = before["pieces"].get(piece, {}), after["pieces"][piece]
    # pid -> [CPU seconds of the children it reaped, its parent pid]
    reaped_before = before.get("reaped", {}).get(piece, {})
    reaped_after = after.get("reaped", {}).get(piece, {})
    # A process that began after the first snapshot started from zero.
    spent = sum(max(t - own_before.get(pid, 0.0), 0.0) for pid, t in own_after.items())
    ended = set(own_before) - set(own_after)
    for pid, (reaped, _) in reaped_after.items():
        grown = reaped - reaped_before.get(pid, [0.0])[0]
        # An ended child's whole CPU reached its parent's reaped time; what it had used by
        # the first snapshot was spent before the run.
        grown -= sum(
            own_before[child] + reaped_before.get(child, [0.0])[0]
            for child in ended
            if reaped_before.get(child, [0.0, None])[1] == int(pid)
        )
        spent += max(grown, 0.0)
    return spent


def report(before: dict, after: dict, requests: int, *, load: float | None = None) -> dict:
    """CPU milliseconds per request of each piece, of the load generator (``load``: its CPU
    seconds over the run, when known) and of the rest of the machine, and the machine's shares."""
    per_request = {}
    counted = 0.0
    for piece in after["pieces"]:
        spent = _spent(before, after, piece)
        counted += spent
        per_request[piece] = spent
    busy = after["busy"] - before["busy"]
    idle = after["idle"] - before["idle"]
    steal = after["steal"] - before["steal"]
    if load is not None:
        # The load generator ran inside the machine's busy time, in no piece.
        per_request["load"] = min(max(load, 0.0), max(busy - counted, 0.0))
        counted += per_request["load"]
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
            run["cpu"] = report(before, after, run["requests"], load=run.get("load_cpu_s"))
            print(json.dumps(run))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
