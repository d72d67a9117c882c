"""Send every request of a request file (bench/stack/mix.lua's format) once through the stack,
a few at a time, and print how they were answered. The stack benchmark uses it to make the
answers a user's first visit computes before the measured runs: the stored recommendations of
the benchmark's users (`me/recommendations/` computes and stores a user's lists on the first
read when the nightly training did not refresh them), or every cached page of a scenario.

    .venv/bin/python bench/stack/warm.py FILE [--threads 4]     (STACK_URL from var/stack/env)
"""

import argparse
import collections
import os
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path


def send(base: str, line: str) -> int:
    method, path, *rest = line.split("\t")
    headers = {"Authorization": f"Bearer {rest[0]}"} if rest and rest[0] else {}
    body = rest[1].encode() if len(rest) > 1 and rest[1] else (b"" if method != "GET" else None)
    if body is not None:
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(base + path, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("file", type=Path)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    base = os.environ["STACK_URL"]
    lines = list(dict.fromkeys(line for line in args.file.read_text().splitlines() if line))
    started = time.perf_counter()
    with ThreadPoolExecutor(args.threads) as pool:
        statuses = collections.Counter(pool.map(lambda line: send(base, line), lines))
    seconds = time.perf_counter() - started
    answered = ", ".join(f"{status or 'no answer'}: {n}" for status, n in sorted(statuses.items()))
    print(f"warm: {len(lines)} requests of {args.file.name} in {seconds:.1f} s ({answered})")


if __name__ == "__main__":
    main()
