"""Item-to-item transitions: "people who watched X next watched Y".

Each user's positive events, in time order, give pairs (earlier item, item up to ``window``
steps later), weighted ``step_decay ** (steps - 1)``. Rows are normalised into transition
probabilities and pruned to the ``neighbours`` strongest targets, so the model is sparse and
grows with the number of interactions, not with the catalogue squared. Counting costs
events x window pairs, so the window shrinks when that would pass ``max_pairs`` (memory stays
bounded on large data; ``effective_window`` records what was used). A user is scored from
their latest positives, the most recent weighing most: the time order that count-based models
(popularity, item-kNN, EASE) throw away.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from .base import Engine, History, TrainingData, unit_scale
from .collaborative import top_k_per_row
from .common import best_supporters, csr_from_arrays, csr_to_arrays, recency_weights

PAIRS_PER_CHUNK = 4_000_000  # pairs summed at once: bounds the counting memory


def _pair_counts(keys: np.ndarray, weights: np.ndarray, n: int) -> sparse.csr_matrix:
    """Sum weights per encoded (source * n + target) pair: one sort per chunk."""
    pair_keys, inverse = np.unique(keys, return_inverse=True)
    summed = np.bincount(inverse, weights=weights, minlength=pair_keys.size)
    return sparse.csr_matrix((summed, (pair_keys // n, pair_keys % n)), shape=(n, n))


def positive_sequences(data: TrainingData) -> tuple[np.ndarray, np.ndarray]:
    """Users and items of positive events, sorted by user then time."""
    positive = data.weights > 0
    users, items, times = data.users[positive], data.items[positive], data.timestamps[positive]
    order = np.lexsort((times, users))
    return users[order], items[order]


class TransitionEngine(Engine):
    name = "sequential"

    def __init__(
        self,
        window: int = 60,
        step_decay: float = 0.97,
        neighbours: int = 200,
        recent: int = 20,
        half_life_events: float = 10.0,
        max_pairs: int = 30_000_000,
    ):
        self.window = int(window)
        self.step_decay = float(step_decay)
        self.neighbours = int(neighbours)
        self.recent = int(recent)
        self.half_life_events = float(half_life_events)
        self.max_pairs = int(max_pairs)
        self.effective_window = self.window
        self.transitions = sparse.csr_matrix((0, 0), dtype=np.float32)

    def fit(self, data: TrainingData) -> TransitionEngine:
        users, items = positive_sequences(data)
        n = data.n_items
        self.effective_window = max(1, min(self.window, self.max_pairs // max(items.size, 1)))
        counts = sparse.csr_matrix((n, n), dtype=np.float64)
        keys, weights = [], []
        last_step = min(self.effective_window, max(items.size - 1, 0))
        for step in range(1, last_step + 1):
            same_user = users[:-step] == users[step:]
            sources = items[:-step][same_user].astype(np.int64)
            keys.append(sources * n + items[step:][same_user])
            weights.append(np.full(sources.size, self.step_decay ** (step - 1)))
            if sum(k.size for k in keys) >= PAIRS_PER_CHUNK or step == last_step:
                counts = counts + _pair_counts(np.concatenate(keys), np.concatenate(weights), n)
                keys, weights = [], []
        counts.setdiag(0.0)
        counts.eliminate_zeros()
        totals = np.asarray(counts.sum(axis=1)).ravel()
        totals[totals == 0] = 1.0
        probabilities = sparse.csr_matrix(sparse.diags(1.0 / totals) @ counts)
        self.transitions = top_k_per_row(probabilities, self.neighbours)
        return self

    @property
    def n_items(self) -> int:
        return self.transitions.shape[0]

    def _recent_weights(self, history: History) -> tuple[np.ndarray, np.ndarray]:
        positive = np.asarray(history.weights) > 0
        items = np.asarray(history.items)[positive]
        times = np.asarray(history.timestamps)[positive]
        weights = recency_weights(times, self.half_life_events)
        if items.size > self.recent:
            keep = np.argsort(times, kind="stable")[-self.recent :]
            items, weights = items[keep], weights[keep]
        return items, weights

    def raw_score(self, history: History) -> np.ndarray:
        scores = np.zeros(self.n_items, dtype=np.float64)
        items, weights = self._recent_weights(history)
        if items.size:
            scores += np.asarray(self.transitions[items].T @ weights).ravel()
        return scores

    def score(self, history: History) -> np.ndarray:
        return unit_scale(self.raw_score(history))

    def explain(self, history: History, item: int) -> int | None:
        items, weights = self._recent_weights(history)
        if items.size == 0:
            return None
        contribution = weights * np.asarray(self.transitions[items, item].toarray()).ravel()
        best = int(np.argmax(contribution))
        if contribution[best] <= 0:
            return None
        return int(np.flatnonzero(np.asarray(history.items) == items[best])[0])

    def explain_many(self, history: History, targets: np.ndarray) -> list[int | None]:
        targets = np.asarray(targets, dtype=np.int64).ravel()
        items, weights = self._recent_weights(history)
        if items.size == 0:
            return [None] * targets.size
        transitions = self.transitions[np.asarray(items, dtype=np.int64)][:, targets].toarray()
        history_items = np.asarray(history.items)
        return [
            None if row is None else int(np.flatnonzero(history_items == items[row])[0])
            for row in best_supporters(weights[:, np.newaxis] * transitions)
        ]

    def state(self) -> tuple[dict, dict[str, np.ndarray]]:
        meta = {
            "window": self.window,
            "step_decay": self.step_decay,
            "neighbours": self.neighbours,
            "recent": self.recent,
            "half_life_events": self.half_life_events,
            "max_pairs": self.max_pairs,
        }
        return meta, csr_to_arrays("transitions", self.transitions)

    @classmethod
    def from_state(cls, meta: dict, arrays: dict[str, np.ndarray]) -> TransitionEngine:
        engine = cls(**meta)
        engine.effective_window = engine.window
        engine.transitions = csr_from_arrays("transitions", arrays)
        return engine
