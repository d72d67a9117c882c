"""Collaborative engines that score any user from their history alone (fold-in for free).

``EaseEngine`` is EASE (Steck, 2019): a closed-form item-item linear model,
B = I - P / diag(P) with P = (X'X + lambda I)^-1. The dense part is restricted to the
``max_items`` most interacted items (3,000 by default: as accurate as the full model on
MovieLens), so training cost is bounded by O(max_items^3) however
large the catalogue grows (at 50,000 movies a full dense model would need 10 GB); items outside
the head get no collaborative score and are left to the content and trending engines.

``ItemKnnEngine`` is sparse item-item cosine similarity with the top ``neighbours`` kept per
item: the classic baseline, linear in the number of co-occurrences.
"""

from __future__ import annotations

import inspect

import numpy as np
from scipy import sparse
from scipy.linalg import lapack

from .base import (
    Engine,
    History,
    HistoryBatch,
    TrainingData,
    top_indexes,
    top_indexes_rows,
    unit_scale,
)
from .common import (
    best_supporters,
    csr_from_arrays,
    csr_to_arrays,
    history_vector,
    recency_weights_many,
    segment_first_argmax,
)


def training_matrix(
    data: TrainingData, binary: bool, half_life_events: float | None = None
) -> sparse.csr_matrix:
    """Users x items matrix of positive signal (binary: 1 per positively touched item).

    With ``half_life_events``, each user's entries decay with the number of positive events
    the user had after them (the latest weighs 1): the model learns most from what users did
    last, as the future it is asked about follows what they did last.
    """
    if half_life_events is None:
        matrix = data.matrix(positive_only=True)
        if binary:
            matrix.data[:] = 1.0
        return matrix
    positive = np.flatnonzero(data.weights > 0)
    if positive.size == 0:
        return sparse.csr_matrix((data.n_users, data.n_items), dtype=np.float32)
    users, items = data.users[positive], data.items[positive]
    order = np.lexsort((data.timestamps[positive], users))
    users, items = users[order], items[order]
    starts = np.flatnonzero(np.r_[True, users[1:] != users[:-1]])
    ends = np.r_[starts[1:], users.size]
    events_after = np.repeat(ends, ends - starts) - np.arange(users.size) - 1
    values = np.power(0.5, events_after / float(half_life_events))
    if binary:
        # One entry per (user, item): its latest (largest) weight.
        matrix = _max_per_cell(users, items, values, data.n_users, data.n_items)
    else:
        values = values * np.maximum(data.weights[positive][order], 0)
        shape = (data.n_users, data.n_items)
        matrix = sparse.coo_matrix((values, (users, items)), shape=shape).tocsr()
    matrix.eliminate_zeros()
    return matrix.astype(np.float32)


def _max_per_cell(users, items, values, n_users: int, n_items: int) -> sparse.csr_matrix:
    keys = users.astype(np.int64) * n_items + items
    order = np.lexsort((-values, keys))
    first = np.r_[True, keys[order][1:] != keys[order][:-1]]
    chosen = order[first]
    return sparse.csr_matrix(
        (values[chosen], (users[chosen], items[chosen])), shape=(n_users, n_items)
    )


def symmetric_inverse(gram: np.ndarray) -> np.ndarray:
    """Inverse of a symmetric positive definite matrix through Cholesky (half the LU cost)."""
    factor, info = lapack.dpotrf(gram, lower=False, overwrite_a=True, clean=False)
    if info != 0:
        raise np.linalg.LinAlgError(f"Gram matrix is not positive definite (info={info})")
    inverse, info = lapack.dpotri(factor, lower=False, overwrite_c=True)
    if info != 0:
        raise np.linalg.LinAlgError(f"Cholesky inverse failed (info={info})")
    upper = np.triu(inverse)
    return upper + np.triu(upper, 1).T


class HeadModel(Engine):
    """An item-item model over the head of the catalogue, scored from a recency-weighted
    history: ``weights`` (head x head, float32) maps a user's signal on head items to scores of
    head items; every item outside the head gets ``min(head minimum, 0)``.

    Subclasses set ``head_items`` and ``weights`` in ``fit`` and the scoring attributes
    ``half_life_events``, ``binary`` and ``negative_weight`` in their constructor.
    """

    n_items: int
    head_items: np.ndarray
    weights: np.ndarray
    half_life_events: float | None
    binary: bool
    negative_weight: float

    def _select_head(self, matrix: sparse.csr_matrix, max_items: int) -> np.ndarray:
        """The ``max_items`` items with the most positive users (index order), remembered."""
        self.n_items = matrix.shape[1]
        counts = np.diff(matrix.tocsc().indptr)
        ranked = np.argsort(-counts, kind="stable")
        head = np.sort(ranked[:max_items][counts[ranked[:max_items]] > 0])
        self.head_items = head.astype(np.int32)
        self._head_position = None
        return head

    def parameters(self) -> dict:
        """What the constructor was given: two engines with the same fit the same model."""
        raise NotImplementedError

    def state(self) -> tuple[dict, dict[str, np.ndarray]]:
        meta = {**self.parameters(), "n_items": self.n_items}
        return meta, {"head_items": self.head_items, "weights": self.weights}

    @classmethod
    def from_state(cls, meta: dict, arrays: dict[str, np.ndarray]) -> HeadModel:
        """The engine ``state`` saved; a parameter an older artifact lacks takes its default."""
        accepted = inspect.signature(cls).parameters
        engine = cls(**{name: value for name, value in meta.items() if name in accepted})
        engine.n_items = int(meta["n_items"])
        engine.head_items = arrays["head_items"].astype(np.int32)
        engine.weights = arrays["weights"].astype(np.float32)
        return engine

    @property
    def head_position(self) -> np.ndarray:
        """Item index -> row in ``weights`` (-1 outside the head), built once."""
        if getattr(self, "_head_position", None) is None:
            position = np.full(self.n_items, -1, dtype=np.int64)
            position[self.head_items] = np.arange(self.head_items.size)
            self._head_position = position
        return self._head_position

    def user_vector(self, history: History) -> tuple[np.ndarray, np.ndarray]:
        """Head rows touched by the history and the user's signal on each (sparse)."""
        vector = history_vector(
            history, self.n_items, half_life_events=self.half_life_events, binary=self.binary
        )
        vector[vector < 0] *= self.negative_weight
        items = np.unique(np.asarray(history.items, dtype=np.int64))
        rows = self.head_position[items]
        inside = (rows >= 0) & (vector[items] != 0)
        return rows[inside], vector[items[inside]]

    def raw_score(self, history: History) -> np.ndarray:
        scores = np.zeros(self.n_items, dtype=np.float64)
        if history.is_empty or self.head_items.size == 0:
            return scores
        rows, values = self.user_vector(history)
        head_scores = values @ self.weights[rows].astype(np.float64)
        scores[:] = min(float(head_scores.min()), 0.0)
        scores[self.head_items] = head_scores
        return scores

    def score(self, history: History) -> np.ndarray:
        return unit_scale(self.raw_score(history))

    def head_scores_many(self, batch: HistoryBatch) -> tuple[np.ndarray, np.ndarray]:
        """``raw_score`` of every user of ``batch`` as its two parts: the scores of the head
        items (users x head, float32, one sparse-by-dense product for the batch) and the
        value every other item gets (``min(head minimum, 0)``, per user)."""
        head = np.zeros((batch.size, self.head_items.size), dtype=np.float32)
        if self.head_items.size == 0 or batch.items.size == 0:
            return head, np.zeros(batch.size)
        signal = np.sign(batch.weights) if self.binary else batch.weights
        signal = signal * recency_weights_many(batch.rows, batch.timestamps, self.half_life_events)
        columns = self.head_position[batch.items]
        inside = columns >= 0
        vectors = sparse.csr_matrix(
            (signal[inside], (batch.rows[inside], columns[inside])),
            shape=head.shape,
            dtype=np.float64,
        )
        vectors.sum_duplicates()
        vectors.data[vectors.data < 0] *= self.negative_weight
        vectors.eliminate_zeros()
        head = np.asarray(vectors.astype(np.float32) @ self.weights, dtype=np.float32)
        fill = np.minimum(head.min(axis=1).astype(np.float64), 0.0)
        return head, fill

    def explain_pairs(
        self, batch: HistoryBatch, users: np.ndarray, items: np.ndarray
    ) -> np.ndarray:
        """``explain`` of each (user row of ``batch``, item) pair, vectorised over the whole
        batch: the position in that user's history, or -1 for None. Same answers."""
        users = np.asarray(users, dtype=np.int64)
        items = np.asarray(items, dtype=np.int64)
        found = np.full(users.size, -1, dtype=np.int64)
        if self.head_items.size == 0 or users.size == 0:
            return found
        item_rows = self.head_position[items]
        event_rows = self.head_position[batch.items]
        usable = np.flatnonzero((event_rows >= 0) & (batch.weights > 0))
        per_user = np.bincount(batch.rows[usable], minlength=batch.size)
        first_usable = np.zeros(batch.size + 1, dtype=np.int64)
        np.cumsum(per_user, out=first_usable[1:])
        asked = np.flatnonzero((item_rows >= 0) & (per_user[users] > 0))
        if asked.size == 0:
            return found
        counts = per_user[users[asked]]
        segment = np.repeat(np.arange(asked.size), counts)
        offsets = np.arange(segment.size) - np.repeat(np.cumsum(counts) - counts, counts)
        events = usable[first_usable[users[asked]][segment] + offsets]
        values = self.weights[event_rows[events], item_rows[asked][segment]]
        best, best_value = segment_first_argmax(values, counts)
        good = best_value > 0
        found[asked[good]] = batch.positions[events[best[good]]]
        return found

    def explain(self, history: History, item: int) -> int | None:
        positions = np.searchsorted(self.head_items, [item, *history.items])
        positions = np.minimum(positions, max(self.head_items.size - 1, 0))
        if self.head_items.size == 0 or self.head_items[positions[0]] != item:
            return None
        in_head = self.head_items[positions[1:]] == np.asarray(history.items)
        contribution = np.where(
            in_head & (np.asarray(history.weights) > 0),
            self.weights[positions[1:], positions[0]],
            -np.inf,
        )
        best = int(np.argmax(contribution)) if contribution.size else 0
        return best if contribution.size and contribution[best] > 0 else None

    def explain_many(self, history: History, items: np.ndarray) -> list[int | None]:
        items = np.asarray(items, dtype=np.int64).ravel()
        found: list[int | None] = [None] * items.size
        if self.head_items.size == 0 or items.size == 0:
            return found
        last = self.head_items.size - 1
        item_rows = np.minimum(np.searchsorted(self.head_items, items), last)
        in_head = np.flatnonzero(self.head_items[item_rows] == items)
        history_items = np.asarray(history.items, dtype=np.int64)
        history_rows = np.minimum(np.searchsorted(self.head_items, history_items), last)
        usable = (self.head_items[history_rows] == history_items) & (
            np.asarray(history.weights) > 0
        )
        contribution = np.where(
            usable[:, np.newaxis],
            self.weights[np.ix_(history_rows, item_rows[in_head])],
            -np.inf,
        )
        for index, position in zip(in_head, best_supporters(contribution), strict=True):
            found[index] = position
        return found


class EaseEngine(HeadModel):
    """EASE over the head of the catalogue, scored from a recency-weighted history.

    Defaults are the values tuned on the MovieLens validation split; ``half_life_events=None``
    gives plain EASE (the offline baseline).
    """

    name = "collaborative"

    def __init__(
        self,
        l2: float = 250.0,
        max_items: int = 3000,
        binary: bool = True,
        half_life_events: float | None = 5.0,
        negative_weight: float = 0.0,
        train_half_life_events: float | None = None,
    ):
        self.l2 = float(l2)
        self.max_items = int(max_items)
        self.binary = bool(binary)
        self.half_life_events = half_life_events
        self.negative_weight = float(negative_weight)
        self.train_half_life_events = train_half_life_events
        self.n_items = 0
        self.head_items = np.zeros(0, dtype=np.int32)
        self.weights = np.zeros((0, 0), dtype=np.float32)

    def fit(self, data: TrainingData) -> EaseEngine:
        matrix = training_matrix(data, self.binary, self.train_half_life_events)
        head = self._select_head(matrix, self.max_items)
        if head.size == 0:  # no positive signal yet (a fresh database): nothing to learn
            self.weights = np.zeros((0, 0), dtype=np.float32)
            return self
        head_matrix = matrix[:, head]
        gram = np.asarray((head_matrix.T @ head_matrix).toarray(), dtype=np.float64)
        gram[np.diag_indices_from(gram)] += self.l2
        inverse = symmetric_inverse(gram)
        weights = inverse / (-np.diag(inverse))[np.newaxis, :]
        np.fill_diagonal(weights, 0.0)
        self.weights = weights.astype(np.float32)
        return self

    def parameters(self) -> dict:
        """What the constructor was given: two engines with the same fit the same model."""
        return {
            "l2": self.l2,
            "max_items": self.max_items,
            "binary": self.binary,
            "half_life_events": self.half_life_events,
            "negative_weight": self.negative_weight,
            "train_half_life_events": self.train_half_life_events,
        }


class Rp3Engine(HeadModel):
    """RP3beta (Paudel et al., 2017): a random walk item -> user -> item over binary positives,
    each step's probability raised to ``alpha``, the arrival item's popularity divided out to
    the power ``beta`` (a walk ends on popular items more often only because they are popular).

    ``W[i, j] = deg(i)^-alpha * sum_u x_ui x_uj deg(u)^-alpha * deg(j)^-beta``, over the same
    head of the catalogue as EASE (the user's degree counts every item they touched), with the
    top ``neighbours`` of each row kept (None keeps them all). No matrix inverse: one sparse
    product, O(nnz) plus the head squared, so it fits in a fraction of EASE's time.
    """

    name = "graph"

    def __init__(
        self,
        alpha: float = 0.5,
        beta: float = 0.5,
        neighbours: int | None = None,
        max_items: int = 3000,
        half_life_events: float | None = 5.0,
    ):
        self.alpha = float(alpha)
        self.beta = float(beta)
        self.neighbours = None if neighbours is None else int(neighbours)
        self.max_items = int(max_items)
        self.half_life_events = half_life_events
        self.binary = True
        self.negative_weight = 0.0
        self.n_items = 0
        self.head_items = np.zeros(0, dtype=np.int32)
        self.weights = np.zeros((0, 0), dtype=np.float32)

    def fit(self, data: TrainingData) -> Rp3Engine:
        matrix = training_matrix(data, binary=True)
        head = self._select_head(matrix, self.max_items)
        if head.size == 0:
            self.weights = np.zeros((0, 0), dtype=np.float32)
            return self
        user_degree = np.diff(matrix.indptr).astype(np.float64)
        walk = sparse.diags(np.power(np.maximum(user_degree, 1.0), -self.alpha))
        head_matrix = sparse.csr_matrix(matrix[:, head], dtype=np.float64)
        gram = np.asarray((head_matrix.T @ (walk @ head_matrix)).toarray())
        item_degree = np.asarray(head_matrix.sum(axis=0)).ravel()
        gram *= np.power(item_degree, -self.alpha)[:, np.newaxis]
        gram *= np.power(item_degree, -self.beta)[np.newaxis, :]
        np.fill_diagonal(gram, 0.0)
        if self.neighbours is not None and self.neighbours < head.size:
            kept = top_indexes_rows(gram, self.neighbours)
            pruned = np.zeros_like(gram)
            np.put_along_axis(pruned, kept, np.take_along_axis(gram, kept, axis=1), axis=1)
            gram = pruned
        self.weights = gram.astype(np.float32)
        return self

    def parameters(self) -> dict:
        return {
            "alpha": self.alpha,
            "beta": self.beta,
            "neighbours": self.neighbours,
            "max_items": self.max_items,
            "half_life_events": self.half_life_events,
        }


def top_k_per_row(matrix: sparse.csr_matrix, k: int) -> sparse.csr_matrix:
    """Keep the ``k`` largest entries of each row."""
    matrix = sparse.csr_matrix(matrix)
    rows, cols, vals = [], [], []
    for row in range(matrix.shape[0]):
        start, end = matrix.indptr[row], matrix.indptr[row + 1]
        if end == start:
            continue
        data = matrix.data[start:end]
        keep = top_indexes(data, k) if end - start > k else np.arange(end - start)
        rows.append(np.full(keep.size, row, dtype=np.int32))
        cols.append(matrix.indices[start:end][keep])
        vals.append(data[keep])
    if not rows:
        return sparse.csr_matrix(matrix.shape, dtype=np.float32)
    return sparse.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=matrix.shape
    ).astype(np.float32)


class ItemKnnEngine(Engine):
    """Item-item cosine similarity over binary positives, top ``neighbours`` per item."""

    name = "item_knn"

    def __init__(self, neighbours: int = 50, half_life_events: float | None = None):
        self.neighbours = int(neighbours)
        self.half_life_events = half_life_events
        self.similarity = sparse.csr_matrix((0, 0), dtype=np.float32)

    def fit(self, data: TrainingData) -> ItemKnnEngine:
        matrix = training_matrix(data, binary=True).tocsc()
        norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=0)).ravel())
        norms[norms == 0] = 1.0
        normalised = sparse.csr_matrix(matrix @ sparse.diags(1.0 / norms))
        similarity = sparse.csr_matrix(normalised.T @ normalised)
        similarity.setdiag(0.0)
        similarity.eliminate_zeros()
        self.similarity = top_k_per_row(similarity, self.neighbours)
        return self

    @property
    def n_items(self) -> int:
        return self.similarity.shape[0]

    def raw_score(self, history: History) -> np.ndarray:
        vector = history_vector(
            history,
            self.n_items,
            half_life_events=self.half_life_events,
            positive_only=True,
            binary=True,
        )
        return np.asarray(self.similarity.T @ vector, dtype=np.float64).ravel()

    def score(self, history: History) -> np.ndarray:
        return unit_scale(self.raw_score(history))

    def explain(self, history: History, item: int) -> int | None:
        if history.is_empty:
            return None
        column = np.asarray(self.similarity[:, item].toarray()).ravel()
        contribution = np.where(
            np.asarray(history.weights) > 0, column[np.asarray(history.items)], 0.0
        )
        best = int(np.argmax(contribution))
        return best if contribution[best] > 0 else None

    def explain_many(self, history: History, items: np.ndarray) -> list[int | None]:
        items = np.asarray(items, dtype=np.int64).ravel()
        if history.is_empty:
            return [None] * items.size
        history_items = np.asarray(history.items, dtype=np.int64)
        similarity = self.similarity[history_items][:, items].toarray()
        positive = np.asarray(history.weights)[:, np.newaxis] > 0
        return best_supporters(np.where(positive, similarity, 0.0))

    def state(self) -> tuple[dict, dict[str, np.ndarray]]:
        meta = {"neighbours": self.neighbours, "half_life_events": self.half_life_events}
        return meta, csr_to_arrays("similarity", self.similarity)

    @classmethod
    def from_state(cls, meta: dict, arrays: dict[str, np.ndarray]) -> ItemKnnEngine:
        engine = cls(meta["neighbours"], meta["half_life_events"])
        engine.similarity = csr_from_arrays("similarity", arrays)
        return engine
