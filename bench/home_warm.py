"""Ask for each benchmark user's home page once (bench/run.sh, before the home_user scenario):
a user's first page computes their recommendations, which their later pages read cached.

Usage: python bench/home_warm.py MIX_FILE PORT (MIX_FILE in bench/stack/mix.lua's format).
"""

import http.client
import sys
import time
from concurrent.futures import ThreadPoolExecutor


def visit(port: int, path: str, token: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path, headers={"Authorization": f"Bearer {token}"})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def main(mix: str, port: int) -> int:
    requests = []
    with open(mix, encoding="utf-8") as lines:
        for line in lines:
            _method, path, token = line.rstrip("\n").split("\t")[:3]
            requests.append((path, token))
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = list(pool.map(lambda r: visit(port, *r), requests))
    bad = [status for status in statuses if status != 200]
    print(
        f"bench: warmed {len(requests)} users' home pages in {time.monotonic() - started:.1f} s"
        + (f", {len(bad)} not 200: {sorted(set(bad))}" if bad else "")
    )
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], int(sys.argv[2])))
