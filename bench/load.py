"""A small load generator for machines without wrk: keep-alive connections, one thread each.

Prints the same JSON line as bench/paths.lua. Python threads share one core's worth of GIL, so
this measures less than wrk can; prefer wrk.
"""

import argparse
import http.client
import json
import random
import threading
import time


def worker(port, paths, deadline, latencies, errors, lock):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    mine, failed = [], 0
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        try:
            connection.request("GET", random.choice(paths))
            response = connection.getresponse()
            response.read()
            if response.status >= 400:
                failed += 1
        except (OSError, http.client.HTTPException):
            failed += 1
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        mine.append(time.perf_counter() - started)
    with lock:
        latencies.extend(mine)
        errors.append(failed)


def percentile(values, share):
    return values[min(len(values) - 1, int(share * len(values)))] * 1000 if values else 0.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--name", required=True)
    parser.add_argument("--paths", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--connections", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=15)
    args = parser.parse_args()
    with open(args.paths) as file:
        paths = [line.strip() for line in file if line.strip()]
    latencies, errors, lock = [], [], threading.Lock()
    started = time.perf_counter()
    deadline = started + args.seconds
    threads = [
        threading.Thread(target=worker, args=(args.port, paths, deadline, latencies, errors, lock))
        for _ in range(args.connections)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    latencies.sort()
    print(
        json.dumps(
            {
                "name": args.name,
                "requests": len(latencies),
                "seconds": round(seconds, 2),
                "rps": round(len(latencies) / seconds, 1),
                "p50_ms": round(percentile(latencies, 0.50), 2),
                "p95_ms": round(percentile(latencies, 0.95), 2),
                "p99_ms": round(percentile(latencies, 0.99), 2),
                "max_ms": round(latencies[-1] * 1000, 2) if latencies else 0.0,
                "errors": sum(errors),
                "non_2xx": sum(errors),
            }
        )
    )


if __name__ == "__main__":
    main()
