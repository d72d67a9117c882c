"""Print the benchmark table from wrk's JSON lines (stdin) and check the targets."""

import json
import sys

P99_TARGET_MS = 50.0
THROUGHPUT_SHARE = 0.5


def main() -> int:
    runs = {}
    for line in sys.stdin:
        line = line.strip()
        if line.startswith("{"):
            run = json.loads(line)
            runs[run["name"]] = run
    print("| scenario | requests/s | p50 ms | p95 ms | p99 ms | max ms | requests | errors |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for run in runs.values():
        print(
            f"| {run['name']} | {run['rps']:.0f} | {run['p50_ms']:.1f} | {run['p95_ms']:.1f} "
            f"| {run['p99_ms']:.1f} | {run['max_ms']:.1f} | {run['requests']} | {run['errors']} |"
        )
    reference = runs.get("reference")
    cached = [runs[name] for name in ("popular", "lists") if name in runs]
    if not (reference and cached):
        return 1
    print()
    for run in cached:
        share = run["rps"] / reference["rps"] if reference["rps"] else 0.0
        p99_ok = run["p99_ms"] < P99_TARGET_MS
        share_ok = share >= THROUGHPUT_SHARE
        print(
            f"target: {run['name']} p99 < {P99_TARGET_MS:.0f} ms: {run['p99_ms']:.1f} ms "
            f"({'met' if p99_ok else 'MISSED'})"
        )
        print(
            f"target: {run['name']} >= {THROUGHPUT_SHARE:.0%} of the bare view's throughput: "
            f"{share:.0%} ({'met' if share_ok else 'MISSED'})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
