"""The before and after columns of an alternated comparison through the stack (bench/stack/ab.sh).

    .venv/bin/python bench/stack/ab_report.py LABEL PAIRS

Reads var/stack/bench/LABEL-before-N.jsonl and LABEL-after-N.jsonl for N = 1 to PAIRS (the
files bench/stack/run.sh wrote) and prints, for each scenario, one row per pair: requests/s,
p99 in ms and CPU ms per request (bench/stack/cpu.py) of each side, then the medians, and in
how many pairs the after side cost less CPU per request. The CPU is the figure to read first:
the latency of a run moves with the machine as much as with the code.
"""

import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from report import load  # the stack report's reader, beside this file

BENCH_DIR = Path("var/stack/bench")
# Each figure shown and how it is written: requests/s whole, p99 to a tenth of a millisecond,
# CPU per request to a hundredth.
FORMATS = {"rps": "{:.0f}", "p99_ms": "{:.1f}", "cpu": "{:.2f}"}


def side_runs(label: str, side: str, pairs: int, directory: Path = BENCH_DIR) -> list[dict]:
    """The runs of each pair of one side, by scenario name (a pair whose file is missing, as
    after a round that failed, gives an empty dict)."""
    runs = []
    for pair in range(1, pairs + 1):
        path = directory / f"{label}-{side}-{pair}.jsonl"
        runs.append(load(str(path))[1] if path.exists() else {})
    return runs


def _cpu(run: dict | None) -> float | None:
    return run["cpu"]["total_ms"] if run and run.get("cpu") else None


def _figure(run: dict | None, key: str) -> float | None:
    if not run:
        return None
    return _cpu(run) if key == "cpu" else run[key]


def _written(value: float | None, key: str) -> str:
    return "-" if value is None else FORMATS[key].format(value)


def _cell(run: dict | None) -> str:
    return " | ".join(_written(_figure(run, key), key) for key in FORMATS)


def _median(values: list, key: str) -> str:
    present = [value for value in values if value is not None]
    return _written(statistics.median(present) if present else None, key)


def table(before: list[dict], after: list[dict]) -> list[str]:
    names = [
        name
        for name in dict.fromkeys(n for runs in (*before, *after) for n in runs)
        if not name.startswith("reference:")
    ]
    lines = [
        "| scenario | pair | before req/s | before p99 ms | before CPU ms | after req/s "
        "| after p99 ms | after CPU ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name in names:
        pairs = [(old.get(name), new.get(name)) for old, new in zip(before, after, strict=True)]
        for index, (old, new) in enumerate(pairs, start=1):
            lines.append(f"| {name} | {index} | {_cell(old)} | {_cell(new)} |")
        medians = [
            _median([_figure(pair[side], key) for pair in pairs], key)
            for side in (0, 1)
            for key in FORMATS
        ]
        lines.append(f"| {name} | median | {' | '.join(medians)} |")
        both = [(_cpu(old), _cpu(new)) for old, new in pairs if _cpu(old) and _cpu(new)]
        cheaper = sum(1 for old, new in both if new < old)
        lines.append(f"| {name} | after cheaper | {cheaper} of {len(both)} pairs | | | | | |")
    return lines


def main(argv: list[str]) -> int:
    if len(argv) != 2 or not argv[1].isdigit() or int(argv[1]) < 1:
        print("usage: ab_report.py LABEL PAIRS", file=sys.stderr)
        return 2
    label, pairs = argv[0], int(argv[1])
    before, after = side_runs(label, "before", pairs), side_runs(label, "after", pairs)
    if not any(before) and not any(after):
        print(f"ab_report: no result files for {label} in {BENCH_DIR}", file=sys.stderr)
        return 1
    print("\n".join(table(before, after)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
