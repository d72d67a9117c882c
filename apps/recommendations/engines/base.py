"""The contract between training and serving: data in, scores out.

Engines are pure numpy/scipy: they never touch the database. Training code builds a
``TrainingData`` from the database (or from a MovieLens directory for offline evaluation),
calls ``fit``, and saves the fitted engine as a versioned artifact. Serving loads the artifact
and calls ``score`` with one user's ``History``; item-based engines score any user, new or
known, from their history alone, which is what makes fold-in cheap (no retraining).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse


@dataclass
class TrainingData:
    """Interaction events over dense indexes, plus what maps the indexes back to ids.

    ``weights`` are signed signal strengths: positive for favorites, likes, good ratings, views
    and watchlist adds (strong signals weigh more), negative for dislikes and low ratings.
    """

    user_ids: np.ndarray  # int64, external user id of each user index
    item_ids: np.ndarray  # int64, movie id of each item index
    users: np.ndarray  # int32, user index of each event
    items: np.ndarray  # int32, item index of each event
    weights: np.ndarray  # float32, signed strength of each event
    timestamps: np.ndarray  # int64, unix seconds of each event
    item_features: sparse.csr_matrix | None = None  # items x features (genres, tags, people...)
    feature_names: list[str] = field(default_factory=list)
    item_titles: list[str] = field(default_factory=list)
    now: int | None = None  # unix seconds "now" for time decay; default max(timestamps)

    @property
    def n_users(self) -> int:
        return len(self.user_ids)

    @property
    def n_items(self) -> int:
        return len(self.item_ids)

    def matrix(self, positive_only: bool = True) -> sparse.csr_matrix:
        """Users x items matrix of summed weights (duplicates summed)."""
        weights = np.maximum(self.weights, 0) if positive_only else self.weights
        matrix = sparse.csr_matrix(
            (weights.astype(np.float32), (self.users, self.items)),
            shape=(self.n_users, self.n_items),
        )
        matrix.eliminate_zeros()
        return matrix


@dataclass
class History:
    """One user's interactions, as item indexes with signed weights and unix timestamps."""

    items: np.ndarray  # int32
    weights: np.ndarray  # float32
    timestamps: np.ndarray  # int64
    # Optional declared tastes (names from TrainingData.feature_names, e.g. "genre:Comedy"):
    # a cold-start user's favorite genres; content and hybrid engines use them.
    features: list[str] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return len(self.items) == 0

    @classmethod
    def empty(cls) -> History:
        return cls(
            np.empty(0, dtype=np.int32), np.empty(0, dtype=np.float32), np.empty(0, dtype=np.int64)
        )


@dataclass
class HistoryBatch:
    """Several users' histories end to end, for scoring a block of users with matrix products.

    ``rows`` names the user (0 to ``size - 1``) of each event; within a user the events keep
    their history order, so ``positions`` (an event's index in its own history) is what
    ``explain`` would return for it.
    """

    rows: np.ndarray  # int64, user row of each event
    items: np.ndarray  # int64
    weights: np.ndarray  # float64
    timestamps: np.ndarray  # int64
    positions: np.ndarray  # int64, index of each event in its user's history
    starts: np.ndarray  # int64, first event of each user (size + 1 entries)
    features: list[list[str]]

    @property
    def size(self) -> int:
        return len(self.features)

    @property
    def lengths(self) -> np.ndarray:
        return np.diff(self.starts)

    @classmethod
    def of(cls, histories: list[History]) -> HistoryBatch:
        lengths = np.fromiter((len(h.items) for h in histories), np.int64, len(histories))
        starts = np.zeros(len(histories) + 1, dtype=np.int64)
        np.cumsum(lengths, out=starts[1:])
        total = int(starts[-1])

        def joined(name: str, dtype) -> np.ndarray:
            if not total:
                return np.empty(0, dtype=dtype)
            return np.concatenate([np.asarray(getattr(h, name), dtype=dtype) for h in histories])

        rows = np.repeat(np.arange(len(histories), dtype=np.int64), lengths)
        return cls(
            rows=rows,
            items=joined("items", np.int64),
            weights=joined("weights", np.float64),
            timestamps=joined("timestamps", np.int64),
            positions=np.arange(total, dtype=np.int64) - starts[rows],
            starts=starts,
            features=[list(h.features) for h in histories],
        )


def top_indexes(values: np.ndarray, k: int) -> np.ndarray:
    """Positions of the ``k`` largest ``values``, best first, equal values by position.

    ``np.argpartition`` alone leaves which of several values equal to the k-th enter the top to
    its implementation: numpy 2 selects with SIMD kernels that differ between CPUs (on this
    machine's AVX2 it took positions 985 to 991 of a row of equal values, not 0 to 6), so a top
    list, and every offline metric of it, could change from one machine to another. Here every
    value above the k-th is kept, then the lowest positions among those equal to it."""
    values = np.asarray(values)
    n = values.shape[0]
    k = min(k, n)
    if k <= 0:
        return np.empty(0, dtype=np.int64)
    if k < n:
        part = np.argpartition(-values, k - 1)[:k]
        threshold = values[part].min()
        above = np.flatnonzero(values > threshold)
        tied = np.flatnonzero(values == threshold)[: k - above.size]
        part = np.concatenate([above, tied])
    else:
        part = np.arange(n)
    return part[np.lexsort((part, -values[part]))]


# Columns per slice from which top_indexes_rows narrows each row by a bound first.
NARROWED_WIDTH = 64


def top_indexes_rows(matrix: np.ndarray, k: int) -> np.ndarray:
    """``top_indexes`` of every row of ``matrix`` (rows x ``min(k, columns)``).

    A row's k-th largest value is at least the smallest of the maxima of k slices of the row
    (each slice holds a value that large), so only the values from that bound up can enter
    its top: two passes over the matrix (the maxima, then the comparison) and a sort of those
    few values per row, instead of a selection over every row (``np.argpartition`` took 8 ms
    of a drain's 20 rows of 50,000 items, 0.8 ms this way). The rows where the bound keeps
    too many values (mostly blocked at -inf, or tied) or too few (a NaN) are selected as
    before (``_top_indexes_selected``), and so is every row when k is more than a 64th of
    the columns (the bound is then loose: a neighbour list of 100 among 3,000 items measured
    slower this way). Either way the answer is the same.
    """
    matrix = np.asarray(matrix)
    rows, n = matrix.shape
    k = min(k, n)
    if k <= 0:
        return np.empty((rows, 0), dtype=np.int64)
    width = n // k
    if width < NARROWED_WIDTH:
        return _top_indexes_selected(matrix, k)
    bound = matrix[:, : k * width].reshape(rows, k, width).max(axis=2).min(axis=1)
    kept = matrix >= bound[:, np.newaxis]
    counts = np.count_nonzero(kept, axis=1)
    narrowed = (counts >= k) & (counts <= max(n // 8, k))
    top = np.empty((rows, k), dtype=np.int64)
    for row in np.flatnonzero(narrowed):
        columns = np.flatnonzero(kept[row])
        top[row] = columns[np.lexsort((columns, -matrix[row, columns]))[:k]]
    others = np.flatnonzero(~narrowed)
    if others.size:
        top[others] = _top_indexes_selected(matrix[others], k)
    return top


def _top_indexes_selected(matrix: np.ndarray, k: int) -> np.ndarray:
    """``top_indexes_rows`` by one ``np.argpartition`` of every row (1 <= k <= columns)."""
    part = np.argpartition(-matrix, k - 1, axis=1)[:, :k]
    values = np.take_along_axis(matrix, part, axis=1)
    threshold = values.min(axis=1, keepdims=True)
    # Rows where a value equal to their k-th was left out: chosen again by position.
    left_out = (matrix == threshold).sum(axis=1) > (values == threshold).sum(axis=1)
    for row in np.flatnonzero(left_out):
        part[row] = top_indexes(matrix[row], k)
    values = np.take_along_axis(matrix, part, axis=1)
    order = np.lexsort((part, -values), axis=1)
    return np.take_along_axis(part, order, axis=1)


def unit_scale(raw: np.ndarray) -> np.ndarray:
    """Min-max scale to [0, 1] (float32, finite); a constant vector becomes all zeros."""
    values = np.nan_to_num(np.asarray(raw, dtype=np.float64), nan=0.0, posinf=0.0, neginf=0.0)
    if values.size == 0:
        return values.astype(np.float32)
    low, high = float(values.min()), float(values.max())
    if high - low <= 1e-12:
        return np.zeros(values.shape, dtype=np.float32)
    return ((values - low) / (high - low)).astype(np.float32)


class Engine(ABC):
    """A fitted recommender. Higher score means a better recommendation.

    Caller contract: ``score`` returns finite float32 values in [0, 1] over every item and does
    NOT mask the user's history (seen items may score high). Callers exclude what must not be
    shown, or use ``recommend``, which masks the history and any extra ``exclude`` indexes.
    """

    name: str = "base"

    @abstractmethod
    def fit(self, data: TrainingData) -> Engine:
        """Learn from ``data``; returns self."""

    @abstractmethod
    def score(self, history: History) -> np.ndarray:
        """Scores over every item index (float32, shape (n_items,)) for one user."""

    def explain(self, history: History, item: int) -> int | None:
        """Position in ``history.items`` of the interaction that most supports ``item``.

        Used for reasons such as "Because you liked Alien"; None when there is none.
        """
        return None

    def explain_many(self, history: History, items: np.ndarray) -> list[int | None]:
        """``explain`` for each of ``items`` (same answers); engines override it with one
        vectorised pass, which is what makes naming the reason of every stored item cheap."""
        return [self.explain(history, int(item)) for item in np.asarray(items).ravel()]

    def recommend(
        self, history: History, k: int, exclude: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top ``k`` item indexes and their [0, 1] scores, history and ``exclude`` masked."""
        scores = self.score(history).astype(np.float32, copy=True)
        blocked = np.zeros(scores.shape[0], dtype=bool)
        blocked[np.asarray(history.items, dtype=np.int64)] = True
        if exclude is not None and len(exclude):
            blocked[np.asarray(exclude, dtype=np.int64)] = True
        candidates = np.flatnonzero(~blocked)
        if k <= 0 or candidates.size == 0:
            return np.empty(0, dtype=np.int32), np.empty(0, dtype=np.float32)
        k = min(k, candidates.size)
        values = scores[candidates]
        top = top_indexes(values, k)  # candidates ascend: ties by position are ties by index
        return candidates[top].astype(np.int32), values[top]

    # Artifacts (see artifacts.py): an engine is its parameters plus named numpy arrays.
    def state(self) -> tuple[dict, dict[str, np.ndarray]]:
        """JSON-safe metadata and the arrays that reproduce this fitted engine."""
        raise NotImplementedError

    @classmethod
    def from_state(cls, meta: dict, arrays: dict[str, np.ndarray]) -> Engine:
        raise NotImplementedError
