"""The stack benchmark's table from one or more result files (bench/stack/run.sh), side by side.

    .venv/bin/python bench/stack/report.py var/stack/bench/small.jsonl [var/stack/bench/seed.jsonl]

For each scenario and file: requests/s, p50 and p99 in ms, failed requests (socket errors,
timeouts, 5xx; 429 and other 4xx are shown apart), and the p99 and throughput of /health/live
measured just before it, so a figure can be read against the machine's state at that minute.
"""

import json
import sys

P99_TARGET_MS = 200.0


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
        )
    print()
    print(
        "| scenario | data | requests/s | p50 ms | p99 ms | failed | 4xx | 429 "
        "| /health/live p99 ms (req/s) | p99 target |"
    )
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    names = [n for n in loaded[0][1] if not n.startswith("reference")]
    for name in names:
        for header, runs in loaded:
            run, ref = runs.get(name), runs.get(f"reference:{name}")
            if run is None:
                continue
            reference = f"{ref['p99_ms']:.1f} ({ref['rps']:.0f})" if ref else "-"
            met = "met" if run["p99_ms"] < P99_TARGET_MS and not failed(run) else "MISSED"
            print(
                f"| {name} | {header.get('label')} | {run['rps']:.0f} | {run['p50_ms']:.1f} "
                f"| {run['p99_ms']:.1f} | {failed(run)} | {run['status_4xx']} "
                f"| {run['status_429']} | {reference} | {met} |"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
