"""Small hand-made catalogues where the right recommendation is known (no database)."""

from __future__ import annotations

import numpy as np
from scipy import sparse

from apps.recommendations.engines.base import History, TrainingData

DAY = 86400
NOW = 1_700_000_000
# Items 0-3 science fiction, 4-7 romance, 8-9 comedy.
GENRES = ["Science Fiction"] * 4 + ["Romance"] * 4 + ["Comedy"] * 2
SCIFI, ROMANCE, COMEDY = (0, 1, 2, 3), (4, 5, 6, 7), (8, 9)


def catalogue_features() -> tuple[sparse.csr_matrix, list[str]]:
    names = sorted(set(GENRES))
    rows = np.arange(len(GENRES))
    cols = np.array([names.index(g) for g in GENRES])
    matrix = sparse.csr_matrix((np.ones(len(GENRES)), (rows, cols)), shape=(len(GENRES), 3))
    return matrix, [f"genre:{n}" for n in names]


def training_from_events(events: list[tuple[int, int, float, int]]) -> TrainingData:
    """``events`` are (user, item, weight, timestamp)."""
    users, items, weights, times = (np.array(column) for column in zip(*events, strict=True))
    features, names = catalogue_features()
    return TrainingData(
        user_ids=np.arange(users.max() + 1, dtype=np.int64) + 1000,
        item_ids=np.arange(len(GENRES), dtype=np.int64) + 500,
        users=users.astype(np.int32),
        items=items.astype(np.int32),
        weights=weights.astype(np.float32),
        timestamps=times.astype(np.int64),
        item_features=features,
        feature_names=names,
        item_titles=[f"Movie {i}" for i in range(len(GENRES))],
        now=NOW,
    )


def empty_training() -> TrainingData:
    """The catalogue with no interactions at all (a fresh database)."""
    data = training_from_events([(0, 0, 1.0, NOW)])
    empty = np.empty(0, dtype=np.int32)
    data.users, data.items = empty, empty
    data.weights, data.timestamps = np.empty(0, np.float32), np.empty(0, np.int64)
    return data


def taste_clusters() -> TrainingData:
    """Six science fiction fans and six romance fans, each liking most of their genre.

    Comedy 8 is the most popular item overall (everyone watched it), so popularity alone would
    put it first; genre and co-liking should not.
    """
    events = []
    for user in range(12):
        genre = SCIFI if user < 6 else ROMANCE
        for step, item in enumerate(genre):
            if (user + step) % 4 != 3:  # each fan skips one item of their genre
                events.append((user, item, 4.0, NOW - (100 - step) * DAY))
        events.append((user, 8, 0.5, NOW - 200 * DAY))
    return training_from_events(events)


def history(items, weights=None, days_ago=None) -> History:
    items = np.asarray(items, dtype=np.int32)
    weights = np.full(items.size, 4.0) if weights is None else np.asarray(weights)
    days_ago = np.arange(items.size)[::-1] if days_ago is None else np.asarray(days_ago)
    return History(items, weights.astype(np.float32), (NOW - days_ago * DAY).astype(np.int64))
