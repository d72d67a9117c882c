"""Small numeric helpers shared by the engines."""

from __future__ import annotations

import numpy as np
from scipy import sparse

from .base import History

DAY = 86400.0


def recency_weights(
    timestamps: np.ndarray, half_life_events: float | None, half_life_days: float | None = None
) -> np.ndarray:
    """Per-event decay in (0, 1]: the user's latest event weighs 1.

    ``half_life_events`` halves the weight every that many later events (order-based, robust to
    users who rate in bursts); ``half_life_days`` halves it every that many days before the
    user's latest event. None disables either.
    """
    timestamps = np.asarray(timestamps, dtype=np.int64)
    weights = np.ones(timestamps.shape[0], dtype=np.float64)
    if timestamps.size == 0:
        return weights
    if half_life_events:
        order = np.argsort(timestamps, kind="stable")
        events_after = np.empty(timestamps.size, dtype=np.float64)
        events_after[order] = np.arange(timestamps.size - 1, -1, -1)
        weights *= np.power(0.5, events_after / float(half_life_events))
    if half_life_days:
        age_days = (timestamps.max() - timestamps) / DAY
        weights *= np.power(0.5, age_days / float(half_life_days))
    return weights


def recency_weights_many(
    rows: np.ndarray, timestamps: np.ndarray, half_life_events: float | None
) -> np.ndarray:
    """``recency_weights`` of each user's events at once (``rows`` names the user of each
    event; events of a user in history order): the same numbers, one pass for a batch."""
    rows = np.asarray(rows, dtype=np.int64)
    weights = np.ones(rows.size, dtype=np.float64)
    if rows.size == 0 or not half_life_events:
        return weights
    order = np.lexsort((np.asarray(timestamps, dtype=np.int64), rows))  # stable, as argsort
    sorted_rows = rows[order]
    ends = np.flatnonzero(np.r_[sorted_rows[1:] != sorted_rows[:-1], True])
    segment_end = np.repeat(ends, np.diff(np.r_[-1, ends]))
    events_after = np.empty(rows.size, dtype=np.float64)
    events_after[order] = segment_end - np.arange(rows.size)
    return np.power(0.5, events_after / float(half_life_events))


def history_vector(
    history: History,
    n_items: int,
    *,
    half_life_events: float | None = None,
    positive_only: bool = False,
    binary: bool = False,
) -> np.ndarray:
    """Dense float64 vector over items: the user's (signed, recency-weighted) signal."""
    vector = np.zeros(n_items, dtype=np.float64)
    if history.is_empty:
        return vector
    weights = np.asarray(history.weights, dtype=np.float64)
    if binary:
        weights = np.sign(weights)
    if positive_only:
        weights = np.maximum(weights, 0.0)
    weights = weights * recency_weights(history.timestamps, half_life_events)
    np.add.at(vector, np.asarray(history.items, dtype=np.int64), weights)
    return vector


def standardize(scores: np.ndarray) -> np.ndarray:
    """Zero mean, unit deviation (all zeros stay zeros): puts components on one scale."""
    scores = np.asarray(scores, dtype=np.float64)
    deviation = scores.std()
    if deviation <= 1e-12:
        return np.zeros_like(scores)
    return (scores - scores.mean()) / deviation


def best_supporters(contribution: np.ndarray) -> list[int | None]:
    """Per column of a (history positions x items) matrix, the row that contributes most (the
    first on ties, as ``np.argmax``), or None when no contribution is positive."""
    if contribution.shape[0] == 0:
        return [None] * contribution.shape[1]
    best = np.argmax(contribution, axis=0)
    positive = contribution[best, np.arange(best.size)] > 0
    return [int(row) if keep else None for row, keep in zip(best, positive, strict=True)]


def segment_first_argmax(values: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For consecutive segments of ``values`` (``counts`` long each, none empty): the index in
    ``values`` of each segment's largest value (the first on ties, as ``np.argmax``) and that
    value."""
    starts = np.cumsum(counts) - counts
    best_value = np.maximum.reduceat(values, starts)
    is_best = values == np.repeat(best_value, counts)
    index = np.where(is_best, np.arange(values.size), values.size)
    return np.minimum.reduceat(index, starts), best_value


def csr_to_arrays(prefix: str, matrix: sparse.csr_matrix) -> dict[str, np.ndarray]:
    matrix = sparse.csr_matrix(matrix)
    return {
        f"{prefix}.data": matrix.data.astype(np.float32),
        f"{prefix}.indices": matrix.indices.astype(np.int32),
        f"{prefix}.indptr": matrix.indptr.astype(np.int64),
        f"{prefix}.shape": np.asarray(matrix.shape, dtype=np.int64),
    }


def csr_from_arrays(prefix: str, arrays: dict[str, np.ndarray]) -> sparse.csr_matrix:
    shape = tuple(int(x) for x in arrays[f"{prefix}.shape"])
    return sparse.csr_matrix(
        (arrays[f"{prefix}.data"], arrays[f"{prefix}.indices"], arrays[f"{prefix}.indptr"]),
        shape=shape,
    )
