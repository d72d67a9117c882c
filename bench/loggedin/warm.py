"""Fill the shared cache with the public answers the logged-in scenarios read (each distinct
GET path of the request files, once, anonymously), so the benchmark measures what a logged-in
user adds to a cached answer rather than the first computation of each answer (the anonymous
benchmark, bench/run.sh, measures misses apart).

    .venv/bin/python bench/loggedin/warm.py URL FILE [FILE ...]
"""

import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.request import urlopen


def main() -> int:
    base, files = sys.argv[1], sys.argv[2:]
    paths = sorted(
        {
            line.split("\t")[1]
            for name in files
            for line in Path(name).read_text().splitlines()
            if line.startswith("GET\t")
        }
    )

    def get(path: str) -> int:
        with urlopen(base + path, timeout=60) as response:
            return response.status

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(get, paths))
    print(f"bench: warmed {len(paths)} public answers ({statuses.count(200)} answered 200)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
