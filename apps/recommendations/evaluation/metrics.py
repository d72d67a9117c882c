"""Top-k ranking metrics over one user's ranked item list and held-out relevant items.

Recall@k is hits / min(k, |relevant|) (Liang et al. 2018, as in the EASE paper), so a user with
more held-out items than k can still reach 1.0. Coverage is the share of the catalogue that
appears in at least one user's top k.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np


def _hits(ranked: np.ndarray, relevant: Iterable[int], k: int) -> np.ndarray:
    relevant_set = set(int(x) for x in relevant)
    return np.array([int(x) in relevant_set for x in np.asarray(ranked)[:k]], dtype=bool)


def ndcg_at_k(ranked: np.ndarray, relevant: Iterable[int], k: int) -> float:
    """Binary-relevance NDCG: sum of 1/log2(rank + 1) over hits, over its best possible value."""
    relevant = list(relevant)
    if not relevant:
        return 0.0
    hits = _hits(ranked, relevant, k)
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    dcg = float(discounts[: hits.size][hits].sum())
    ideal = float(discounts[: min(k, len(set(relevant)))].sum())
    return dcg / ideal


def recall_at_k(ranked: np.ndarray, relevant: Iterable[int], k: int) -> float:
    relevant = set(int(x) for x in relevant)
    if not relevant:
        return 0.0
    return float(_hits(ranked, relevant, k).sum()) / min(k, len(relevant))


def hit_rate_at_k(ranked: np.ndarray, relevant: Iterable[int], k: int) -> float:
    return float(_hits(ranked, relevant, k).any())


def catalogue_coverage(ranked_lists: Iterable[np.ndarray], n_items: int, k: int) -> float:
    """Share of the ``n_items`` catalogue recommended in at least one top ``k``."""
    if n_items <= 0:
        return 0.0
    seen: set[int] = set()
    for ranked in ranked_lists:
        seen.update(int(x) for x in np.asarray(ranked)[:k])
    return len(seen) / n_items
