"""The shortcuts the refresh takes give the answers of the plain engine calls, exactly."""

import numpy as np
import pytest

from apps.recommendations.engines import ENGINE_CLASSES, build_engine
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
