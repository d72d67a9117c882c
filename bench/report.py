"""Print the benchmark table from wrk's JSON lines (stdin) and check the targets."""

import json
import sys

P99_TARGET_MS = 50.0
THROUGHPUT_SHARE = 0.5
# The home page (issue 12): anonymous at least 0.8 of /health/live's throughput in the same run,
# a logged-in user's p99 under 50 ms at 50 connections.
HOME_SHARE = 0.8
HOME_USER_P99_MS = 50.0


def errors_of(run: dict) -> int:
    """wrk's errors (bench/paths.lua), or bench/stack/mix.lua's by kind (4xx and 5xx count)."""
    if "errors" in run:
        return run["errors"]
    kinds = ("connect_errors", "read_errors", "write_errors", "timeouts", "status_4xx",
             "status_5xx")  # fmt: skip
    return sum(run.get(kind, 0) for kind in kinds)


def home_targets(runs: dict) -> None:
    live, home, user = runs.get("live"), runs.get("home"), runs.get("home_user")
    if live and home and live["rps"]:
        share = home["rps"] / live["rps"]
        print(
            f"target: home (anonymous) >= {HOME_SHARE:.1f}x /health/live's throughput: "
            f"{share:.2f}x ({'met' if share >= HOME_SHARE else 'MISSED'})"
        )
    if user:
        ok = user["p99_ms"] < HOME_USER_P99_MS
        print(
            f"target: home_user (logged in) p99 < {HOME_USER_P99_MS:.0f} ms: "
            f"{user['p99_ms']:.1f} ms ({'met' if ok else 'MISSED'})"
        )


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
        p95 = f"{run['p95_ms']:.1f}" if "p95_ms" in run else "-"
        print(
            f"| {run['name']} | {run['rps']:.0f} | {run['p50_ms']:.1f} | {p95} "
            f"| {run['p99_ms']:.1f} | {run['max_ms']:.1f} | {run['requests']} | {errors_of(run)} |"
        )
    print()
    home_targets(runs)
    reference = runs.get("reference")
    cached = [runs[name] for name in ("popular", "lists") if name in runs]
    if not (reference and cached):
        return 0 if "home" in runs or "home_user" in runs else 1
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
