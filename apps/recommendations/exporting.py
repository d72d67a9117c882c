"""``export_recommendations``: every user's top K as ``userId,movieId,rank`` rows.

Users imported from MovieLens (username ``ml_<userId>``) and movies with a MovieLens id are
written with their MovieLens ids, so the file can be scored against a MovieLens hold-out;
everyone else with our primary keys. Lists are computed from the active engines exactly as
serving computes them (fold-in of the user's current events, their exclusions applied).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from typing import TextIO

from django.contrib.auth import get_user_model

from apps.catalog.models import Movie
from apps.recommendations import scoring, selectors
from apps.recommendations.training import user_events_load, users_with_signals

MOVIELENS_USERNAME = re.compile(r"^ml_(\d+)$")
BATCH = 500


def recommendations_export(
    *,
    k: int,
    stream: TextIO,
    engine: str = "hybrid",
    report: Callable[[str], None] | None = None,
) -> tuple[int, int]:
    """Write the header and every user's top ``k``; returns (users, rows) written."""
    say = report or (lambda message: None)
    movielens_movie = dict(
        Movie.objects.filter(movielens_id__isnull=False).values_list("id", "movielens_id")
    )
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(["userId", "movieId", "rank"])
    user_ids = users_with_signals()
    users = rows = 0
    for start in range(0, len(user_ids), BATCH):
        batch = user_ids[start : start + BATCH]
        usernames = dict(
            get_user_model().objects.filter(id__in=batch).values_list("id", "username")
        )
        events = user_events_load(user_ids=batch)
        genres = selectors.favorite_genres_of(user_ids=batch)
        for user_id in batch:
            if user_id not in usernames:
                continue
            match = MOVIELENS_USERNAME.match(usernames[user_id])
            external_user = int(match.group(1)) if match else user_id
            ranked = scoring.user_lists_compute(
                events=events[user_id],
                favorite_genres=genres.get(user_id, []),
                limit=k,
                engine_names=(engine,),
                explain=False,
            )[engine]
            for rank, scored in enumerate(ranked, start=1):
                writer.writerow(
                    [external_user, movielens_movie.get(scored.movie_id, scored.movie_id), rank]
                )
            users += 1
            rows += len(ranked)
        say(f"exported {users} of {len(user_ids)} users")
    return users, rows
