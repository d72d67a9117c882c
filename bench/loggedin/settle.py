"""After the load: how long until every movie's like, dislike and rating counters equal its
interaction rows again (the counters may be folded in the background), at most --timeout s.

    .venv/bin/python bench/loggedin/settle.py [--timeout 30]

Prints one JSON line: {"name": "settle", "seconds": S, "movies_off": N} (N = 0: settled).
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.prod")

import django

django.setup()

from django.db import connection  # noqa: E402

# Movies whose counters differ from their rows.
OFF = """
SELECT count(*) FROM movies m LEFT JOIN (
  SELECT movie_id,
    count(*) FILTER (WHERE interaction_type = 'like') AS likes,
    count(*) FILTER (WHERE interaction_type = 'dislike') AS dislikes,
    count(*) FILTER (WHERE interaction_type = 'rating' AND rating IS NOT NULL) AS ratings,
    coalesce(sum(rating) FILTER (WHERE interaction_type = 'rating'), 0) AS rating_sum
  FROM user_movie_interactions GROUP BY movie_id
) r ON r.movie_id = m.id
WHERE m.like_count <> coalesce(r.likes, 0) OR m.dislike_count <> coalesce(r.dislikes, 0)
   OR m.rating_count <> coalesce(r.ratings, 0) OR m.rating_sum <> coalesce(r.rating_sum, 0)
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--timeout", type=float, default=30.0)
    args = parser.parse_args()
    started = time.monotonic()
    while True:
        with connection.cursor() as cursor:
            cursor.execute(OFF)
            off = cursor.fetchone()[0]
        waited = time.monotonic() - started
        if off == 0 or waited >= args.timeout:
            break
        time.sleep(0.1)
    print(json.dumps({"name": "settle", "seconds": round(waited, 2), "movies_off": off}))


if __name__ == "__main__":
    main()
