"""Temporal hold-out: each user's latest positives are held out, everything earlier trains.

For each user, positives (rating >= 3.5, apps.interactions.rules) are ordered by time (ties
by movie id); the latest ``fraction`` of them (at least one, when the user has two or more)
form the test set. The user's training part is every rating strictly before the first
held-out timestamp, so it never contains anything the user did at or after that moment (later
low ratings and ties are dropped, not leaked). The same function carves the validation split
from a training part.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from apps.interactions.rules import ratings_positive

from .movielens import Ratings


@dataclass
class Split:
    train: Ratings
    test: Ratings
    cutoffs: dict[int, int]  # user id -> first held-out timestamp


def temporal_split(ratings: Ratings, fraction: float = 0.2) -> Split:
    order = np.lexsort((ratings.movies, ratings.timestamps, ratings.users))
    users = ratings.users[order]
    positive = ratings_positive(ratings.ratings[order])
    test_mask = np.zeros(len(ratings), dtype=bool)
    cutoff_of_event = np.full(len(ratings), np.iinfo(np.int64).max, dtype=np.int64)
    cutoffs: dict[int, int] = {}
    boundaries = np.flatnonzero(np.diff(users)) + 1
    for start, end in zip(
        np.concatenate(([0], boundaries)), np.concatenate((boundaries, [users.size])), strict=True
    ):
        positives = start + np.flatnonzero(positive[start:end])
        if positives.size < 2:
            continue
        n_test = max(1, round(fraction * positives.size))
        held_out = positives[-n_test:]
        test_mask[held_out] = True
        cutoff = int(ratings.timestamps[order[held_out[0]]])
        cutoff_of_event[start:end] = cutoff
        cutoffs[int(users[start])] = cutoff
    timestamps = ratings.timestamps[order]
    train_mask = ~test_mask & (timestamps < cutoff_of_event)
    inverse_train = np.zeros(len(ratings), dtype=bool)
    inverse_test = np.zeros(len(ratings), dtype=bool)
    inverse_train[order[train_mask]] = True
    inverse_test[order[test_mask]] = True
    return Split(ratings.subset(inverse_train), ratings.subset(inverse_test), cutoffs)


def tag_mask_before(tags: Ratings, cutoffs: dict[int, int]) -> np.ndarray:
    """Tags a user wrote before their own cutoff (users without a cutoff keep all)."""
    limits = np.array(
        [cutoffs.get(int(u), np.iinfo(np.int64).max) for u in tags.users], dtype=np.int64
    )
    return tags.timestamps < limits
