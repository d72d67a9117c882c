"""Score every evaluated user with an engine and compute the ranking metrics."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from apps.recommendations.engines.base import History, TrainingData, top_indexes

from .metrics import catalogue_coverage, hit_rate_at_k, ndcg_at_k, recall_at_k
from .movielens import MovieLens, Ratings, training_data
from .split import Split, tag_mask_before

METRIC_COLUMNS = ("ndcg@10", "recall@20", "hitrate@10", "coverage@10")
RANK_DEPTH = 20


@dataclass
class EvaluationSet:
    """Training data, each evaluated user's history, and their held-out item indexes."""

    data: TrainingData
    user_indexes: np.ndarray  # user indexes (into data.user_ids) with held-out items
    histories: list[History]  # aligned with user_indexes
    relevant: list[np.ndarray]  # aligned with user_indexes: held-out item indexes


def user_histories(data: TrainingData) -> list[History]:
    """One History per user index, events in time order."""
    order = np.lexsort((data.timestamps, data.users))
    users = data.users[order]
    bounds = np.searchsorted(users, np.arange(data.n_users + 1))
    histories = []
    for user in range(data.n_users):
        events = order[bounds[user] : bounds[user + 1]]
        histories.append(History(data.items[events], data.weights[events], data.timestamps[events]))
    return histories


def evaluation_set(movielens: MovieLens, split: Split) -> EvaluationSet:
    tag_mask = tag_mask_before(movielens.tags, split.cutoffs)
    data = training_data(movielens, split.train, tag_mask)
    histories = user_histories(data)
    item_index = {movie: i for i, movie in enumerate(data.item_ids.tolist())}
    user_index = {user: i for i, user in enumerate(data.user_ids.tolist())}
    held_out: dict[int, list[int]] = {}
    test: Ratings = split.test
    for user, movie in zip(test.users.tolist(), test.movies.tolist(), strict=True):
        held_out.setdefault(user, []).append(item_index[movie])
    indexes, user_history, relevant = [], [], []
    for user, items in sorted(held_out.items()):
        position = user_index.get(user)
        history = histories[position] if position is not None else History.empty()
        indexes.append(-1 if position is None else position)
        user_history.append(history)
        relevant.append(np.asarray(items, dtype=np.int64))
    return EvaluationSet(data, np.asarray(indexes), user_history, relevant)


def top_items(scores: np.ndarray, seen: np.ndarray, depth: int = RANK_DEPTH) -> np.ndarray:
    """Best ``depth`` item indexes by score, the user's training items excluded."""
    scores = np.asarray(scores, dtype=np.float64).copy()
    scores[np.asarray(seen, dtype=np.int64)] = -np.inf
    return top_indexes(scores, depth)


def rankings(score: Callable[[History], np.ndarray], evaluation: EvaluationSet) -> list[np.ndarray]:
    return [top_items(score(history), history.items) for history in evaluation.histories]


def metrics_of(ranked: list[np.ndarray], evaluation: EvaluationSet) -> dict[str, float]:
    relevant = evaluation.relevant
    return {
        "ndcg@10": float(
            np.mean([ndcg_at_k(r, t, 10) for r, t in zip(ranked, relevant, strict=True)])
        ),
        "recall@20": float(
            np.mean([recall_at_k(r, t, 20) for r, t in zip(ranked, relevant, strict=True)])
        ),
        "hitrate@10": float(
            np.mean([hit_rate_at_k(r, t, 10) for r, t in zip(ranked, relevant, strict=True)])
        ),
        "coverage@10": catalogue_coverage(ranked, evaluation.data.n_items, 10),
    }


def ndcg_per_user(ranked: list[np.ndarray], evaluation: EvaluationSet) -> np.ndarray:
    """NDCG@10 of each evaluated user (aligned with ``evaluation.histories``)."""
    return np.array([ndcg_at_k(r, t, 10) for r, t in zip(ranked, evaluation.relevant, strict=True)])


def evaluate_scorer(
    score: Callable[[History], np.ndarray], evaluation: EvaluationSet
) -> dict[str, float]:
    return metrics_of(rankings(score, evaluation), evaluation)
