"""The logged-in benchmark's table from one or more result files (bench/loggedin/run.sh).

    .venv/bin/python bench/loggedin/report.py var/bench/loggedin/before.jsonl [after.jsonl]

Per scenario and file: requests/s, its ratio to the /health/live run just before it (same
connections, same minute), p50 and p99 in ms, socket errors (connect, read, write, timeouts)
and answers that were not 2xx, the CPU seconds the server and the Celery worker used during
the run (older files have none), then the issue's targets checked against the last file.
"""

import json
import sys

TARGETS = {
    # scenario: (minimum ratio to /health/live, p99 bound in ms); errors must be 0 for all.
    "mix": (0.12, 100.0),
    "mix@1000": (None, 2000.0),
    "home": (None, 50.0),  # issue 12: a logged-in user's feed/home/ at 50 connections
}
HOT_MINIMUM = 400.0  # likes and unlikes per second on one movie


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


def socket_errors(run: dict) -> int:
    return run["connect_errors"] + run["read_errors"] + run["write_errors"] + run["timeouts"]


def not_2xx(run: dict) -> int:
    return run["status_4xx"] + run["status_5xx"] + run["status_429"] + run.get("status_other", 0)


def ratio(run: dict, runs: dict) -> float | None:
    reference = runs.get(f"reference:{run['name']}")
    return run["rps"] / reference["rps"] if reference and reference["rps"] else None


def cpu(run: dict, field: str) -> str:
    return f"{run[field]:.1f}" if field in run else "-"


def verdicts(runs: dict) -> list[str]:
    lines = []
    for name, (minimum, p99) in TARGETS.items():
        run = runs.get(name)
        if run is None:
            continue
        r = ratio(run, runs)
        ok = (
            run["requests"] > 0
            and (minimum is None or (r is not None and r >= minimum))
            and run["p99_ms"] < p99
            and not socket_errors(run)
            and not not_2xx(run)
        )
        want = f"ratio >= {minimum}, " if minimum else ""
        lines.append(f"- {name}: {want}p99 < {p99:.0f} ms, no errors: {'met' if ok else 'MISSED'}")
    hot = runs.get("hot")
    if hot is not None:
        ok = hot["rps"] >= HOT_MINIMUM and not socket_errors(hot) and not not_2xx(hot)
        lines.append(
            f"- hot: >= {HOT_MINIMUM:.0f} likes+unlikes/s, no errors: {'met' if ok else 'MISSED'}"
        )
    return lines


def main(paths: list[str]) -> int:
    loaded = [load(path) for path in paths]
    for header, runs in loaded:
        settle = runs.get("settle")
        settled = (
            f"counters equal to rows {settle['seconds']} s after the load "
            f"({settle['movies_off']} movies off)"
            if settle
            else "counters not checked"
        )
        print(
            f"- {header.get('label')}: {header.get('users')} users' tokens, "
            f"{header.get('duration')} s a run, worker {header.get('worker')}, load average "
            f"{header.get('load')} at start, {header.get('at')}; {settled}"
        )
    print()
    print(
        "| scenario | run | connections | requests/s | ratio to /health/live | p50 ms | p99 ms "
        "| socket errors | not 2xx | /health/live requests/s | server CPU s | worker CPU s |"
    )
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    names = [n for n in loaded[-1][1] if not n.startswith("reference") and n != "settle"]
    for name in names:
        for header, runs in loaded:
            run = runs.get(name)
            if run is None:
                continue
            reference = runs.get(f"reference:{name}")
            r = ratio(run, runs)
            reference_rps = f"{reference['rps']:.0f}" if reference else "-"
            print(
                f"| {name} | {header.get('label')} | {run['connections']} | {run['rps']:.0f} "
                f"| {f'{r:.3f}x' if r is not None else '-'} | {run['p50_ms']:.1f} "
                f"| {run['p99_ms']:.1f} | {socket_errors(run)} | {not_2xx(run)} "
                f"| {reference_rps} | {cpu(run, 'server_cpu_s')} | {cpu(run, 'worker_cpu_s')} |"
            )
    print()
    print(f"Targets ({loaded[-1][0].get('label')}):")
    print("\n".join(verdicts(loaded[-1][1])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
