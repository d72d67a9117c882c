"""The shortcuts the refresh takes give the answers of the plain engine calls, exactly."""

import numpy as np
import pytest
from scipy import sparse

from apps.recommendations.engines import ENGINE_CLASSES, build_engine
from apps.recommendations.engines.base import History, HistoryBatch, TrainingData
from apps.recommendations.engines.hybrid import HybridEngine

from .engine_data import history, taste_clusters

HISTORIES = [
    history([]),
    history([0, 1]),
    history([9, 0], weights=[0.5, 4.0]),
    history([4, 9, 2], weights=[4.0, -2.0, 1.0]),
    history([0, 4, 0, 8], weights=[4.0, 4.0, -1.0, 0.5]),  # a movie twice
    history([1, 2, 3, 5, 6, 7, 8], days_ago=[30, 2, 2, 9, 1, 0, 400]),
]


@pytest.fixture(scope="module")
def clusters():
    return taste_clusters()


@pytest.mark.parametrize("name", sorted(ENGINE_CLASSES))
def test_explain_many_answers_what_explain_answers_item_by_item(clusters, name):
    engine = build_engine(name).fit(clusters)
    items = np.arange(clusters.n_items)
    for user_history in HISTORIES:
        expected = [engine.explain(user_history, int(item)) for item in items]
        assert engine.explain_many(user_history, items) == expected
        assert engine.explain_many(user_history, items[::-1]) == expected[::-1]
    assert engine.explain_many(history([0]), np.empty(0, dtype=np.int64)) == []


def test_hybrid_takes_an_identical_fitted_engine_instead_of_fitting_a_copy(clusters):
    collaborative = build_engine("collaborative").fit(clusters)
    content = build_engine("content").fit(clusters)
    alone = build_engine("hybrid").fit(clusters)
    sharing = build_engine("hybrid").fit(
        clusters, fitted={"collaborative": collaborative, "content": content}
    )
    assert sharing.components["collaborative"] is collaborative
    assert sharing.components["content"] is content
    for user_history in HISTORIES:
        assert np.array_equal(sharing.score(user_history), alone.score(user_history))


def test_hybrid_fits_its_own_part_when_the_offered_engine_differs(clusters):
    other = build_engine("collaborative", l2=10.0).fit(clusters)
    hybrid = build_engine("hybrid").fit(clusters, fitted={"collaborative": other})
    assert hybrid.components["collaborative"] is not other
    assert hybrid.components["collaborative"].weights.shape[0] > 0


def test_hybrid_reuses_known_component_scores_with_identical_results(clusters):
    hybrid: HybridEngine = build_engine("hybrid").fit(clusters)
    collaborative = build_engine("collaborative").fit(clusters)
    assert hybrid.shares_component("collaborative", collaborative)
    assert not hybrid.shares_component("collaborative", build_engine("collaborative", l2=10.0))
    assert not hybrid.shares_component("collaborative", build_engine("content").fit(clusters))
    for user_history in HISTORIES:
        known = {"collaborative": collaborative.raw_score(user_history)}
        assert np.array_equal(hybrid.score(user_history, known), hybrid.score(user_history))


def _random_training(seed: int = 7):
    """300 users over 120 items: long and short histories, dislikes, repeats, features."""
    rng = np.random.default_rng(seed)
    n_users, n_items, n_events = 300, 120, 9000
    users = rng.choice(n_users, size=n_events, p=rng.dirichlet(np.full(n_users, 0.5)))
    items = rng.choice(n_items, size=n_events, p=rng.dirichlet(np.full(n_items, 0.7)))
    weights = rng.choice([4.0, 3.0, 1.0, 0.5, -3.0, -1.0], size=n_events)
    times = 1_700_000_000 - rng.integers(0, 300, size=n_events) * 86400
    features = sparse.random(n_items, 15, density=0.2, random_state=seed, format="csr")
    features.data[:] = 1.0
    data = TrainingData(
        user_ids=np.arange(n_users, dtype=np.int64),
        item_ids=np.arange(n_items, dtype=np.int64),
        users=users.astype(np.int32),
        items=items.astype(np.int32),
        weights=weights.astype(np.float32),
        timestamps=times.astype(np.int64),
        item_features=features,
        feature_names=[f"genre:{i}" for i in range(15)],
        now=1_700_000_000,
    )
    histories = []
    for user in range(0, n_users, 3):
        events = np.flatnonzero(users == user)
        histories.append(History(data.items[events], data.weights[events], times[events]))
    histories[1] = History(histories[1].items, histories[1].weights, histories[1].timestamps)
    histories[1].features = ["genre:3", "genre:unknown"]
    histories.append(History.empty())
    return data, histories, rng


EVERY_PART = {
    "collaborative": 1.0,
    "collaborative_recent": 0.5,
    "graph": 0.7,
    "sequential": 0.4,
    "content": 0.3,
    "popularity": -0.2,
}


@pytest.mark.parametrize("weights", [None, EVERY_PART], ids=["default bands", "every part"])
def test_rank_many_answers_what_score_and_explain_many_answer_user_by_user(weights):
    data, histories, rng = _random_training()
    hybrid = build_engine("hybrid", weights=weights).fit(data)
    blocked = [
        np.unique(rng.choice(data.n_items, size=int(rng.integers(0, 10)))) for _ in histories
    ]
    assert any(len(h.items) >= 160 for h in histories)  # every band is exercised
    assert any(len(h.items) < 40 and not h.is_empty for h in histories)

    ranked = hybrid.rank_many(histories, blocked, data.n_items)

    for user_history, user_blocked, (items, scores, answers) in zip(
        histories, blocked, ranked, strict=True
    ):
        expected = hybrid.score(user_history).astype(np.float64)
        allowed = np.setdiff1d(np.arange(data.n_items), user_blocked)
        assert sorted(items.tolist()) == allowed.tolist()
        np.testing.assert_allclose(scores, expected[items], atol=1e-5)
        assert np.all(np.diff(scores) <= 0)
        explained = hybrid.explain_many(user_history, items)
        assert answers.tolist() == [-1 if a is None else a for a in explained]


def test_batch_explain_pairs_answer_what_explain_answers(clusters):
    data, histories, rng = _random_training(seed=11)
    batch = HistoryBatch.of(histories)
    users = np.repeat(np.arange(len(histories)), 12)
    items = rng.integers(0, data.n_items, size=users.size)
    for name in ("collaborative", "rp3beta", "content", "sequential"):
        engine = build_engine(name).fit(data)
        answers = engine.explain_pairs(batch, users, items)
        for user, item, answer in zip(
            users.tolist(), items.tolist(), answers.tolist(), strict=True
        ):
            expected = engine.explain(histories[user], item)
            assert answer == (-1 if expected is None else expected), (name, user, item)
