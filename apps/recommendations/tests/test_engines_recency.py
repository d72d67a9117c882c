"""EASE trained on recent behaviour, the hybrid's blends per history length, and the
paired interval the evaluation prints."""

import numpy as np
import pytest

from apps.recommendations.engines import build_engine
from apps.recommendations.engines.artifacts import engine_load, engine_save
from apps.recommendations.engines.collaborative import training_matrix
from apps.recommendations.engines.hybrid import HybridEngine
from apps.recommendations.evaluation.report import paired_interval
from apps.recommendations.tests.engine_data import (
    DAY,
    NOW,
    history,
    taste_clusters,
    training_from_events,
)


def test_recency_weighted_training_matrix_halves_per_later_event_and_keeps_one_cell_per_item():
    # One user: item 0, then 1, then 2, then item 0 again (the latest).
    data = training_from_events(
        [
            (0, 0, 4.0, NOW - 4 * DAY),
            (0, 1, 4.0, NOW - 3 * DAY),
            (0, 2, 4.0, NOW - 2 * DAY),
            (0, 0, 3.0, NOW - DAY),
            (0, 3, -3.0, NOW),  # a dislike is not a positive
        ]
    )

    matrix = training_matrix(data, binary=True, half_life_events=1.0).toarray()[0]

    assert matrix[0] == 1.0  # its latest event, no positive after it
    assert matrix[2] == 0.5 and matrix[1] == 0.25
    assert matrix[3] == 0.0


def test_plain_training_matrix_is_unchanged_without_a_half_life():
    data = taste_clusters()
    assert (
        training_matrix(data, binary=True) != training_matrix(data, True, half_life_events=None)
    ).nnz == 0


def test_hybrid_uses_the_blend_of_the_users_history_length():
    bands = [
        {"max_events": 2, "weights": {"collaborative": 0.0, "popularity": 1.0}},
        {"max_events": None, "weights": {"collaborative": 1.0, "popularity": 0.0}},
    ]
    engine = HybridEngine(bands=bands).fit(taste_clusters())

    short, long = history([0]), history([0, 1, 2])

    assert engine.weights_for(short) == bands[0]["weights"]
    assert engine.weights_for(long) == bands[1]["weights"]
    data = taste_clusters()
    popular = HybridEngine(weights=bands[0]["weights"]).fit(data)
    collaborative = HybridEngine(weights=bands[1]["weights"]).fit(data)
    assert np.allclose(engine.score(short), popular.score(short))
    assert np.allclose(engine.score(long), collaborative.score(long))
    assert not np.allclose(engine.score(long), popular.score(long))


@pytest.mark.parametrize(
    "bands",
    [
        [{"max_events": 5, "weights": {"collaborative": 1.0}}],  # no open last band
        [{"max_events": None, "weights": {"telepathy": 1.0}}],
        [
            {"max_events": 9, "weights": {}},
            {"max_events": 3, "weights": {}},
            {"max_events": None, "weights": {}},
        ],
    ],
)
def test_malformed_bands_are_refused(bands):
    with pytest.raises(ValueError):
        HybridEngine(bands=bands)


def test_bands_and_the_recent_part_survive_an_artifact_round_trip(tmp_path):
    engine = build_engine("hybrid").fit(taste_clusters())
    engine_save(engine, tmp_path / "engine.npz")
    loaded = engine_load(tmp_path / "engine.npz")

    assert loaded.bands == engine.bands
    recent = loaded.components["collaborative_recent"]
    assert (
        recent.train_half_life_events
        == engine.components["collaborative_recent"].train_half_life_events
    )
    for user_history in (history([0, 1]), history([4, 5, 6, 7, 0, 1], weights=[4.0] * 6)):
        assert np.allclose(loaded.score(user_history), engine.score(user_history))


def test_an_arm_blend_changes_the_weights_and_nothing_fitted():
    engine = build_engine("hybrid").fit(taste_clusters())
    popular = engine.with_weights({"popularity": 1.0})

    assert popular.components["collaborative"] is engine.components["collaborative"]
    assert popular.weights_for(history([0])) == {"popularity": 1.0}
    assert engine.weights_for(history([0])) != {"popularity": 1.0}


def test_paired_interval_is_the_same_on_every_run_and_contains_the_ratio():
    rng = np.random.default_rng(3)
    base = rng.random(300)
    better = base * 1.2 + rng.normal(0, 0.01, 300)

    first, second = paired_interval(better, base), paired_interval(better, base)

    assert first == second
    ratio, low, high = first
    assert low < ratio < high
    assert low > 1.15 and high < 1.25


def test_training_pins_blas_threads_to_the_configured_count(monkeypatch):
    from threadpoolctl import threadpool_info

    from apps.recommendations.engines.threads import blas_threads_pinned

    monkeypatch.setenv("RECOMMENDER_BLAS_THREADS", "1")
    with blas_threads_pinned():
        inside = [pool["num_threads"] for pool in threadpool_info()]
    assert inside and all(count == 1 for count in inside)
