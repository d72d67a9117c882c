"""The stack benchmark's table from one or more result files (bench/stack/run.sh), side by side.

    .venv/bin/python bench/stack/report.py var/stack/bench/small.jsonl [var/stack/bench/seed.jsonl]

For each scenario and file: requests/s, p50 and p99 in ms, failed requests (socket errors,
timeouts, 5xx; 429 and other 4xx are shown apart), and the p99 and throughput of /health/live
measured just before it, so a figure can be read against the machine's state at that minute.
The scenario's requests/s as a share of /health/live's is the figure to compare across rounds
on different machines: the same code's absolute figures differed up to threefold between
sessions on these shared hosts, its share by far less (docs/stack-history.md, twelfth session).
Then, for the runs that carry it (bench/stack/cpu.py), where the CPU went: milliseconds of CPU
per request in each piece of the stack, the load generator (wrk) and the rest of the machine (a
piece a line does not carry shows as "-": older files have no load generator, it is in their
"other"), the machine's busy share and the share the hypervisor stole, the requests per second
its cores could serve at that cost (the ceiling), and the mean latency that ceiling forces on
the run's connections (connections / ceiling): a scenario whose floor is near or above the p99
target cannot meet it on this machine, whatever the tail does.
"""

import json
import sys

P99_TARGET_MS = 200.0
CPU_COLUMNS = [
    ("servers", ("servers_ms",)),
    ("PostgreSQL", ("postgres_primary_ms", "postgres_replica_ms")),
    ("PgBouncer", ("pgbouncer_ms",)),
    ("nginx", ("nginx_ms",)),
    ("Redis", ("redis_ms",)),
    ("worker, beat", ("worker_ms",)),
    ("load generator", ("load_ms",)),  # wrk; in "other" on lines from before it was measured
    ("other", ("other_ms",)),
]


def load(path: str) -> tuple[dict, dict]:
    header, runs = {}, {}
    with open(path) as file:
        for line in file:
            row = json.loads(line)
            if "label" in row:
                header = row
            else:
                runs[row["name"]] = row
    return header, runs


def failed(run: dict) -> int:
    return (
        run["connect_errors"]
        + run["read_errors"]
        + run["write_errors"]
        + run["timeouts"]
        + run["status_5xx"]
    )


def main(paths: list[str]) -> int:
    loaded = [load(path) for path in paths]
    for header, _ in loaded:
        print(
            f"- {header.get('label')}: {header.get('connections')} connections, "
            f"{header.get('duration')} s a run, load average {header.get('load')} at start, "
            f"{header.get('at')}"
            + (", workers and beat stopped" if header.get("workers") == "stopped" else "")
        )
    print()
    print(
        "| scenario | data | requests/s | p50 ms | p99 ms | failed | 4xx | 429 "
        "| /health/live p99 ms (req/s) | share of /health/live req/s | p99 target |"
    )
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    names = [n for n in loaded[0][1] if not n.startswith("reference")]
    for name in names:
        for header, runs in loaded:
            run, ref = runs.get(name), runs.get(f"reference:{name}")
            if run is None:
                continue
            reference = f"{ref['p99_ms']:.1f} ({ref['rps']:.0f})" if ref else "-"
            share = f"{run['rps'] / ref['rps']:.3f}" if ref and ref["rps"] else "-"
            met = "met" if run["p99_ms"] < P99_TARGET_MS and not failed(run) else "MISSED"
            print(
                f"| {name} | {header.get('label')} | {run['rps']:.0f} | {run['p50_ms']:.1f} "
                f"| {run['p99_ms']:.1f} | {failed(run)} | {run['status_4xx']} "
                f"| {run['status_429']} | {reference} | {share} | {met} |"
            )
    cpu_table(loaded, names)
    return 0


def cpu_table(loaded, names) -> None:
    rows = [
        (key, header, runs[key])
        for name in names
        for header, runs in loaded
        for key in (f"reference:{name}", name)
        if runs.get(key, {}).get("cpu")
    ]
    if not rows:
        return
    print()
    print(
        "| scenario | data | CPU ms per request | "
        + " | ".join(title for title, _ in CPU_COLUMNS)
        + " | machine busy | stolen | ceiling req/s | mean latency floor ms |"
    )
    print("| --- | --- | " + "---: | " * (len(CPU_COLUMNS) + 5))
    for name, header, run in rows:
        cpu = run["cpu"]
        parts = " | ".join(
            f"{sum(cpu.get(k, 0.0) for k in keys):.2f}" if any(k in cpu for k in keys) else "-"
            for _, keys in CPU_COLUMNS
        )
        ceiling = cpu.get("ceiling_rps")
        floor = f"{1000 * header.get('connections', 0) / ceiling:.0f}" if ceiling else "-"
        print(
            f"| {name} | {header.get('label')} | {cpu['total_ms']:.2f} | {parts} "
            f"| {100 * cpu['busy_share']:.0f} % | {100 * cpu.get('steal_share', 0.0):.0f} % "
            f"| {ceiling or '-'} | {floor} |"
        )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
