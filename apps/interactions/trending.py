"""Trending: the one implementation, where its data (the interactions) lives.

A movie trends by the interactions people have with it, recent ones weighing more: each
interaction that is not negative (apps.interactions.rules: never a dislike, never a rating
under 3.0) weighs ``0.5 ** (age in days / half-life)``, with a half-life of one day for the
"day" window and seven days for the "week" window, and a movie's score is the sum. An
interaction dated after ``now`` counts as now.

``trending_scores`` is that formula over arrays: the recommender's trending engine fits with it
(on training data, offline data included). ``movie_trending`` applies it to the database, for
movies/trending/ and for the recommendations' fallback when no trending engine is trained.
Everything that wants what is trending calls one of the two; a later source of the same facts
(daily popularity metrics) would change ``movie_trending`` alone.
"""

from datetime import datetime, timedelta

import numpy as np
from django.db.models import FloatField, Func, Q
from django.utils import timezone

from apps.catalog.rankings import MOVIE_LISTS, movie_popular_local, snapshot_items
from apps.interactions.models import Interaction, InteractionType
from apps.interactions.rules import NEUTRAL_RATING

DAY_SECONDS = 86400.0
TRENDING_HALF_LIFE_DAYS = {"day": 1.0, "week": 7.0}
# movie_trending reads the interactions of the last half-life: the last day for "day", the last
# week for "week", as movies/trending/ always has (an interaction at the window's edge weighs
# half a new one). The engine's training data holds the whole history instead, decayed.
HORIZON_HALF_LIVES = 1


class EpochSeconds(Func):
    """Unix seconds of a datetime column as a float, computed by the database: turning 100,000
    datetimes into Python objects cost most of a trending computation (measured, PostgreSQL).
    PostgreSQL and SQLite (which stores UTC text that julianday reads) are the backends here."""

    output_field = FloatField()

    def as_postgresql(self, compiler, connection, **extra):
        template = "EXTRACT(EPOCH FROM %(expressions)s)::float8"
        return self.as_sql(compiler, connection, template=template, **extra)

    def as_sqlite(self, compiler, connection, **extra):
        template = "((julianday(%(expressions)s) - 2440587.5) * 86400.0)"
        return self.as_sql(compiler, connection, template=template, **extra)


def trending_counted() -> Q:
    """Filter for the Interaction rows trending counts: all but the negative ones."""
    return ~Q(interaction_type=InteractionType.DISLIKE) & ~Q(
        interaction_type=InteractionType.RATING, rating__lt=NEUTRAL_RATING
    )


def trending_scores(
    *,
    items: np.ndarray,
    timestamps: np.ndarray,
    n_items: int,
    now: float,
    half_life_days: float,
) -> np.ndarray:
    """Per item, the sum of ``0.5 ** (age_days / half_life_days)`` over its counted events.

    ``items`` (item index per event) and ``timestamps`` (unix seconds) hold only the counted
    events (the caller applies the rule: ``trending_counted`` in the database, weights above
    zero in training data, which are the same events).
    """
    if half_life_days <= 0:
        raise ValueError("half_life_days must be positive")
    age_days = np.maximum(now - np.asarray(timestamps, dtype=np.float64), 0) / DAY_SECONDS
    decay = np.power(0.5, age_days / half_life_days)
    return np.bincount(np.asarray(items, dtype=np.int64), weights=decay, minlength=n_items)


def movie_trending(
    *, window: str, limit: int | None = None, now: datetime | None = None
) -> list[tuple[int, float]]:
    """Active movies trending in ``window`` ("day" or "week"), best first, as (movie id, score)
    with scores in (0, 1] (the best is 1); ties by id. Empty when nothing was counted in the
    horizon. One query."""
    half_life_days = TRENDING_HALF_LIFE_DAYS[window]
    now = now or timezone.now()
    since = now - timedelta(days=half_life_days * HORIZON_HALF_LIVES)
    rows = list(
        Interaction.objects.filter(trending_counted(), movie__is_active=True, timestamp__gte=since)
        .order_by()
        .values_list("movie_id", EpochSeconds("timestamp"))
    )
    if not rows:
        return []
    columns = np.asarray(rows, dtype=np.float64)
    movie_ids, items = np.unique(columns[:, 0].astype(np.int64), return_inverse=True)
    scores = trending_scores(
        items=items,
        timestamps=columns[:, 1],
        n_items=movie_ids.size,
        now=now.timestamp(),
        half_life_days=half_life_days,
    )
    order = np.lexsort((movie_ids, -scores))[:limit]
    best = float(scores[order[0]])
    return [(int(movie_ids[i]), float(scores[i]) / best) for i in order]


def movie_trending_list(*, window: str):
    """What is trending in ``window``, as movies/trending/ and the home page's anonymous top
    picks list it: TMDb's latest trending snapshot when one was synced (TMDbListItem rows),
    else ``movie_trending``'s ranking (movie ids), else the catalog's popular ranking (a Movie
    queryset)."""
    items = snapshot_items(key=MOVIE_LISTS[f"trending_{window}"])
    if items is not None:
        return items
    ranked = movie_trending(window=window)
    if ranked:
        return [movie_id for movie_id, _score in ranked]
    return movie_popular_local()
