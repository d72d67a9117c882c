"""Content-based engine: TF-IDF item features and a recency-decayed user profile."""

from __future__ import annotations

import numpy as np
from scipy import sparse

from .base import Engine, History, HistoryBatch, TrainingData, unit_scale
from .common import (
    best_supporters,
    csr_from_arrays,
    csr_to_arrays,
    recency_weights,
    recency_weights_many,
    segment_first_argmax,
)


def tfidf_rows(features: sparse.csr_matrix) -> tuple[sparse.csr_matrix, np.ndarray]:
    """Log term frequency times smoothed IDF, each item row L2-normalised."""
    counts = sparse.csr_matrix(features, dtype=np.float64, copy=True)
    counts.data = np.log1p(np.maximum(counts.data, 0.0))
    counts.eliminate_zeros()
    n_items = counts.shape[0]
    document_frequency = np.bincount(counts.indices, minlength=counts.shape[1])
    idf = np.log((1.0 + n_items) / (1.0 + document_frequency)) + 1.0
    weighted = sparse.csr_matrix(counts.multiply(idf[np.newaxis, :]))
    norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    weighted = sparse.csr_matrix(sparse.diags(1.0 / norms) @ weighted)
    return weighted.astype(np.float32), idf.astype(np.float32)


class ContentEngine(Engine):
    """Score = cosine-like match between each item's TF-IDF features and the user profile.

    The profile is the signed sum of the features of the user's items (likes add, dislikes and
    low ratings subtract), each weighted by its signal strength and by recency (half-life in
    events). Declared tastes (``History.features``) add their feature directly.
    """

    name = "content"

    def __init__(self, half_life_events: float | None = 5.0, negative_weight: float = 1.0):
        self.half_life_events = half_life_events
        self.negative_weight = float(negative_weight)
        self.item_vectors = sparse.csr_matrix((0, 0), dtype=np.float32)
        self.feature_names: list[str] = []
        self._feature_index: dict[str, int] = {}

    def fit(self, data: TrainingData) -> ContentEngine:
        features = data.item_features
        if features is None:
            features = sparse.csr_matrix((data.n_items, 0), dtype=np.float32)
        if features.shape[0] != data.n_items:
            raise ValueError("item_features must have one row per item")
        self.item_vectors, _ = tfidf_rows(features)
        self.feature_names = list(data.feature_names)
        self._feature_index = {name: i for i, name in enumerate(self.feature_names)}
        return self

    @property
    def n_items(self) -> int:
        return self.item_vectors.shape[0]

    def _event_weights(self, history: History) -> np.ndarray:
        weights = np.asarray(history.weights, dtype=np.float64)
        weights = np.where(weights < 0, weights * self.negative_weight, weights)
        return weights * recency_weights(history.timestamps, self.half_life_events)

    def profile(self, history: History) -> np.ndarray:
        """The user's taste over features (dense float64)."""
        n_features = self.item_vectors.shape[1]
        profile = np.zeros(n_features, dtype=np.float64)
        if not history.is_empty and n_features:
            rows = self.item_vectors[np.asarray(history.items, dtype=np.int64)]
            profile += rows.T @ self._event_weights(history)
            norm = np.linalg.norm(profile)
            if norm > 0:
                profile /= norm
        declared = [self._feature_index[f] for f in history.features if f in self._feature_index]
        if declared:
            profile[declared] += 1.0 / np.sqrt(len(declared))
        return profile

    def profiles_many(self, batch: HistoryBatch) -> np.ndarray:
        """``profile`` of every user of ``batch`` (users x features, float32): one sparse
        product for the batch."""
        n_features = self.item_vectors.shape[1]
        profiles = np.zeros((batch.size, n_features), dtype=np.float64)
        if n_features == 0:
            return profiles.astype(np.float32)
        if batch.items.size:
            weights = np.where(
                batch.weights < 0, batch.weights * self.negative_weight, batch.weights
            ) * recency_weights_many(batch.rows, batch.timestamps, self.half_life_events)
            events = sparse.csr_matrix(
                (weights, (batch.rows, batch.items)),
                shape=(batch.size, self.n_items),
                dtype=self.item_vectors.dtype,
            )
            profiles = (events @ self.item_vectors).toarray().astype(np.float64)
            norms = np.linalg.norm(profiles, axis=1)
            norms[norms == 0] = 1.0
            profiles /= norms[:, np.newaxis]
        for row, features in enumerate(batch.features):
            declared = [self._feature_index[f] for f in features if f in self._feature_index]
            if declared:
                profiles[row, declared] += 1.0 / np.sqrt(len(declared))
        return profiles.astype(np.float32)

    def raw_score_many(self, profiles: np.ndarray) -> np.ndarray:
        """Scores of every item for each row of ``profiles`` (users x items, float32)."""
        if self.item_vectors.shape[1] == 0:
            return np.zeros((profiles.shape[0], self.n_items), dtype=np.float32)
        return np.ascontiguousarray((self.item_vectors @ profiles.T).T, dtype=np.float32)

    def explain_pairs(
        self, batch: HistoryBatch, users: np.ndarray, items: np.ndarray
    ) -> np.ndarray:
        """``explain`` of each (user row of ``batch``, item) pair: a history position, or -1
        for None. One sparse product for the batch: each user's feature columns are shifted
        to a range of their own, so the product holds only same-user (event, item) pairs."""
        users = np.asarray(users, dtype=np.int64)
        items = np.asarray(items, dtype=np.int64)
        found = np.full(users.size, -1, dtype=np.int64)
        n_features = self.item_vectors.shape[1]
        if users.size == 0 or n_features == 0 or batch.items.size == 0:
            return found
        weights = np.where(
            batch.weights < 0, batch.weights * self.negative_weight, batch.weights
        ) * recency_weights_many(batch.rows, batch.timestamps, self.half_life_events)

        def shifted(rows_of: np.ndarray, of_items: np.ndarray) -> sparse.csr_matrix:
            vectors = self.item_vectors[of_items]
            counts = np.diff(vectors.indptr)
            columns = vectors.indices + np.repeat(rows_of, counts) * n_features
            return sparse.csr_matrix(
                (vectors.data.astype(np.float64), columns, vectors.indptr),
                shape=(of_items.size, batch.size * n_features),
            )

        similarity = sparse.csc_matrix(shifted(batch.rows, batch.items) @ shifted(users, items).T)
        similarity.sort_indices()
        counts = np.diff(similarity.indptr)
        columns = np.flatnonzero(counts)
        if columns.size == 0:
            return found
        contribution = similarity.data * weights[similarity.indices]
        best, best_value = segment_first_argmax(contribution, counts[columns])
        good = best_value > 0
        found[columns[good]] = batch.positions[similarity.indices[best[good]]]
        return found

    def raw_score(self, history: History) -> np.ndarray:
        if self.item_vectors.shape[1] == 0:
            return np.zeros(self.n_items, dtype=np.float64)
        return np.asarray(self.item_vectors @ self.profile(history), dtype=np.float64).ravel()

    def score(self, history: History) -> np.ndarray:
        return unit_scale(self.raw_score(history))

    def explain(self, history: History, item: int) -> int | None:
        if history.is_empty or self.item_vectors.shape[1] == 0:
            return None
        rows = self.item_vectors[np.asarray(history.items, dtype=np.int64)]
        similarity = np.asarray(rows @ self.item_vectors[item].T.toarray()).ravel()
        contribution = self._event_weights(history) * similarity
        best = int(np.argmax(contribution))
        return best if contribution[best] > 0 else None

    def explain_many(self, history: History, items: np.ndarray) -> list[int | None]:
        items = np.asarray(items, dtype=np.int64).ravel()
        if history.is_empty or self.item_vectors.shape[1] == 0:
            return [None] * items.size
        rows = self.item_vectors[np.asarray(history.items, dtype=np.int64)]
        similarity = (rows @ self.item_vectors[items].T).toarray()
        return best_supporters(self._event_weights(history)[:, np.newaxis] * similarity)

    def parameters(self) -> dict:
        """What the constructor was given: two engines with the same fit the same model."""
        return {"half_life_events": self.half_life_events, "negative_weight": self.negative_weight}

    def state(self) -> tuple[dict, dict[str, np.ndarray]]:
        meta = {**self.parameters(), "feature_names": self.feature_names}
        return meta, csr_to_arrays("item_vectors", self.item_vectors)

    @classmethod
    def from_state(cls, meta: dict, arrays: dict[str, np.ndarray]) -> ContentEngine:
        engine = cls(meta["half_life_events"], meta["negative_weight"])
        engine.item_vectors = csr_from_arrays("item_vectors", arrays)
        engine.feature_names = list(meta["feature_names"])
        engine._feature_index = {name: i for i, name in enumerate(engine.feature_names)}
        return engine
