"""Fill the shared cache with the answers the logged-in scenarios read before the load, so the
benchmark measures what a logged-in user adds to a cached answer rather than the first
computation of each answer (the anonymous benchmark, bench/run.sh, measures misses apart):

- the public answers: each distinct GET path of the request files, once, anonymously (movie
  details, popular pages);
- each user's own answers (under ``/api/v1/me/``, and their home page): each distinct path and
  token, once, with the token. A MovieLens user's history is older than the 30 days
  ``train_recommender`` keeps lists for, so without this the scenario would mostly measure each
  user's first list computation.

    .venv/bin/python bench/loggedin/warm.py URL FILE [FILE ...]
"""

import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.request import Request, urlopen

OWN = ("/api/v1/me/", "/api/v1/feed/home/")


def main() -> int:
    base, files = sys.argv[1], sys.argv[2:]
    lines = [
        line.split("\t")
        for name in files
        for line in Path(name).read_text().splitlines()
        if line.startswith("GET\t")
    ]
    public = sorted({fields[1] for fields in lines if not fields[1].startswith(OWN)})
    own = sorted({(fields[1], fields[2]) for fields in lines if fields[1].startswith(OWN)})

    def get(item) -> int:
        path, token = item
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        with urlopen(Request(base + path, headers=headers), timeout=120) as response:
            return response.status

    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = list(pool.map(get, [(path, "") for path in public]))
        own_statuses = list(pool.map(get, own))
    print(
        f"bench: warmed {len(public)} public answers ({statuses.count(200)} answered 200) and "
        f"{len(own)} users' own answers ({own_statuses.count(200)} answered 200)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
