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

from .base import Engine, History, HistoryBatch, TrainingData, unit_scale
from .collaborative import top_k_per_row
from .common import (
    best_supporters,
    csr_from_arrays,
    csr_to_arrays,
    recency_weights,
    recency_weights_many,
    segment_first_argmax,
)

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

    def _recent_many(self, batch: HistoryBatch) -> tuple[np.ndarray, np.ndarray]:
        """``_recent_weights`` of every user of ``batch``: the events kept (indexes into the
        batch, each user's in the order ``_recent_weights`` lists them) and their weights."""
        positive = np.flatnonzero(batch.weights > 0)
        rows, times = batch.rows[positive], batch.timestamps[positive]
        weights = recency_weights_many(rows, times, self.half_life_events)
        # Each user's latest ``recent`` positives (stable in time, as ``_recent_weights``);
        # a user with no more than that keeps them in history order.
        order = np.lexsort((times, rows))
        sorted_rows = rows[order]
        ends = np.flatnonzero(np.r_[sorted_rows[1:] != sorted_rows[:-1], True])
        from_end = np.repeat(ends, np.diff(np.r_[-1, ends])) - np.arange(order.size)
        kept = order[from_end < self.recent]
        kept_rows = rows[kept]
        trimmed = np.bincount(rows, minlength=batch.size)[kept_rows] > self.recent
        within = np.where(trimmed, np.arange(kept.size), kept)
        kept = kept[np.lexsort((within, kept_rows))]
        return positive[kept], weights[kept]

    def explain_pairs(
        self, batch: HistoryBatch, users: np.ndarray, targets: np.ndarray
    ) -> np.ndarray:
        """``explain`` of each (user row of ``batch``, item) pair: a history position, or -1
        for None, vectorised over the batch. Same answers."""
        users = np.asarray(users, dtype=np.int64)
        targets = np.asarray(targets, dtype=np.int64)
        found = np.full(users.size, -1, dtype=np.int64)
        events, weights = self._recent_many(batch)
        if users.size == 0 or events.size == 0:
            return found
        per_user = np.bincount(batch.rows[events], minlength=batch.size)
        first = np.zeros(batch.size + 1, dtype=np.int64)
        np.cumsum(per_user, out=first[1:])
        asked = np.flatnonzero(per_user[users] > 0)
        counts = per_user[users[asked]]
        segment = np.repeat(np.arange(asked.size), counts)
        offsets = np.arange(segment.size) - np.repeat(np.cumsum(counts) - counts, counts)
        chosen = first[users[asked]][segment] + offsets
        sources = batch.items[events[chosen]]
        transitions = self.transitions
        wanted = targets[asked][segment]
        starts, ends = transitions.indptr[sources], transitions.indptr[sources + 1]
        values = np.zeros(sources.size)
        # Rows of the transition matrix have sorted columns: a binary search per pair.
        low, high = starts.copy(), ends.copy()
        while True:
            active = low < high
            if not active.any():
                break
            middle = (low + high) // 2
            column = np.where(
                active, transitions.indices[np.minimum(middle, transitions.indices.size - 1)], 0
            )
            go_right = active & (column < wanted)
            low = np.where(go_right, middle + 1, low)
            high = np.where(active & ~go_right, middle, high)
        hit = (low < ends) & (
            transitions.indices[np.minimum(low, transitions.indices.size - 1)] == wanted
        )
        values[hit] = transitions.data[low[hit]]
        best, best_value = segment_first_argmax(weights[chosen] * values, counts)
        good = best_value > 0
        # The position of the first event of that movie in the user's history.
        best_events = events[chosen[best[good]]]
        span = int(batch.items.max()) + 1
        keys, first = np.unique(batch.rows * span + batch.items, return_index=True)
        wanted_keys = batch.rows[best_events] * span + batch.items[best_events]
        found[asked[good]] = batch.positions[first[np.searchsorted(keys, wanted_keys)]]
        return found

    def raw_score_many(self, batch: HistoryBatch) -> sparse.csr_matrix:
        """``raw_score`` of every user of ``batch`` as a sparse users x items matrix (zero
        where no transition reaches): one sparse product for the batch."""
        events, weights = self._recent_many(batch)
        rows, items = batch.rows[events], batch.items[events]
        recent = sparse.csr_matrix(
            (weights, (rows, items)),
            shape=(batch.size, self.n_items),
            dtype=self.transitions.dtype,
        )
        result = sparse.csr_matrix(recent @ self.transitions)
        result.sum_duplicates()
        result.sort_indices()
        return result

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
