"""Engines on hand-made data where the right recommendation is known."""

import numpy as np
import pytest

from apps.recommendations.engines import ENGINE_CLASSES, ENGINE_NAMES, build_engine
from apps.recommendations.engines.base import History
from apps.recommendations.engines.signals import interaction_weight, rating_weights

from .engine_data import (
    COMEDY,
    DAY,
    NOW,
    ROMANCE,
    SCIFI,
    empty_training,
    history,
    taste_clusters,
    training_from_events,
)


def unseen_ranking(engine, user_history: History) -> list[int]:
    items, _ = engine.recommend(user_history, k=10)
    return items.tolist()


@pytest.fixture(scope="module")
def clusters():
    return taste_clusters()


def test_registry_serves_the_four_engines_and_rejects_unknown_names():
    assert ENGINE_NAMES == ("trending", "content", "collaborative", "hybrid")
    assert all(name in ENGINE_CLASSES for name in ENGINE_NAMES)
    with pytest.raises(ValueError, match="unknown engine"):
        build_engine("astrology")


@pytest.mark.parametrize("name", ["content", "hybrid"])
def test_user_who_liked_only_science_fiction_gets_science_fiction_first(clusters, name):
    engine = build_engine(name).fit(clusters)
    ranking = unseen_ranking(engine, history([0, 1]))
    assert set(ranking[:2]) == {2, 3}


@pytest.mark.parametrize("name", ["collaborative", "item_knn", "ease", "rp3beta"])
def test_collaborative_recommends_the_item_co_liked_with_the_users_items(name):
    # Five users like 4 and 5 together; item 8 is more popular but never co-liked with 4.
    events = [(u, item, 4.0, NOW - DAY) for u in range(5) for item in (4, 5)]
    events += [(u, 8, 4.0, NOW - DAY) for u in range(5, 12)]
    events += [(u, 9, 4.0, NOW - DAY) for u in range(5, 12)]
    engine = build_engine(name).fit(training_from_events(events))
    assert unseen_ranking(engine, history([4]))[0] == 5


@pytest.mark.parametrize("neighbours", [None, 2])
def test_rp3beta_weights_are_the_walk_with_popularity_divided_out(neighbours):
    # Users 0 to 2 like items 0 and 1, user 3 likes 1, 2 and 3, user 4 likes 2 and 3; user 5's
    # dislike of 0 is not a positive and does not count in any degree.
    liked = {0: (0, 1), 1: (0, 1), 2: (0, 1), 3: (1, 2, 3), 4: (2, 3)}
    events = [(u, item, 4.0, NOW - DAY) for u, items in liked.items() for item in items]
    events.append((5, 0, -3.0, NOW - DAY))
    data = training_from_events(events)
    alpha, beta = 0.8, 0.3
    engine = build_engine("rp3beta", alpha=alpha, beta=beta, neighbours=neighbours).fit(data)

    matrix = np.zeros((6, data.n_items))
    for user, items in liked.items():
        matrix[user, list(items)] = 1.0
    user_degree = np.maximum(matrix.sum(axis=1), 1.0)
    head = np.flatnonzero(matrix.sum(axis=0))
    item_degree = matrix[:, head].sum(axis=0)
    expected = (matrix[:, head] * user_degree[:, np.newaxis] ** -alpha).T @ matrix[:, head]
    expected *= (item_degree**-alpha)[:, np.newaxis] * (item_degree**-beta)[np.newaxis, :]
    np.fill_diagonal(expected, 0.0)
    if neighbours is not None:
        for row in expected:
            row[np.argsort(-row, kind="stable")[neighbours:]] = 0.0

    assert engine.head_items.tolist() == head.tolist()
    np.testing.assert_allclose(engine.weights, expected, rtol=1e-6)
    # Item 3's only co-likers also like 2: a user who liked 3 gets 2 first, then 1.
    assert unseen_ranking(engine, history([3]))[:2] == [2, 1]


def test_sequential_recommends_what_people_watched_next():
    # Everyone watched 0 then 1 then 2; a user whose latest item is 1 should get 2, not 0.
    events = [
        (u, item, 4.0, NOW - (10 - step) * DAY)
        for u in range(6)
        for step, item in enumerate((0, 1, 2))
    ]
    engine = build_engine("sequential").fit(training_from_events(events))
    scores = engine.score(history([1]))
    assert scores[2] > scores[0]


@pytest.mark.parametrize("name", ["hybrid", "collaborative", "content"])
def test_recent_taste_outweighs_equally_strong_old_taste(clusters, name):
    engine = build_engine(name).fit(clusters)
    days_ago = [400, 399, 2, 1]
    unseen_scifi, unseen_romance = [2, 3], [6, 7]
    romance_then_scifi = engine.score(history([4, 5, 0, 1], days_ago=days_ago))
    scifi_then_romance = engine.score(history([0, 1, 4, 5], days_ago=days_ago))
    assert max(romance_then_scifi[unseen_scifi]) > max(romance_then_scifi[unseen_romance])
    assert max(scifi_then_romance[unseen_romance]) > max(scifi_then_romance[unseen_scifi])


def test_dislikes_push_similar_items_below_neutral_ones_in_content(clusters):
    engine = build_engine("content").fit(clusters)
    scores = engine.score(history([0, 4], weights=[4.0, -3.0]))
    assert max(scores[list(ROMANCE[1:])]) < min(scores[list(COMEDY)])
    assert min(scores[list(SCIFI[1:])]) > max(scores[list(COMEDY)])


def test_trending_window_changes_what_is_trending():
    # Item 0: ten events six days ago; item 1: three events today.
    events = [(u, 0, 1.0, NOW - 6 * DAY) for u in range(10)]
    events += [(u, 1, 1.0, NOW) for u in range(3)]
    data = training_from_events(events)
    day = build_engine("trending", window="day").fit(data).score(History.empty())
    week = build_engine("trending", window="week").fit(data).score(History.empty())
    assert day[1] > day[0]
    assert week[0] > week[1]


def test_trending_rejects_an_unknown_window():
    with pytest.raises(ValueError, match="window"):
        build_engine("trending", window="fortnight")


def test_hybrid_cold_start_without_history_is_popularity(clusters):
    engine = build_engine("hybrid").fit(clusters)
    assert unseen_ranking(engine, History.empty())[0] == 8  # watched by everyone


def test_hybrid_cold_start_with_favorite_genres_gives_the_best_of_those_genres(clusters):
    engine = build_engine("hybrid").fit(clusters)
    cold = History.empty()
    cold.features = ["genre:Romance"]
    ranking = unseen_ranking(engine, cold)
    assert set(ranking[:4]) == set(ROMANCE)


@pytest.mark.parametrize("name", sorted(ENGINE_CLASSES))
@pytest.mark.parametrize(
    "user_history",
    [
        History.empty(),
        history([0, 1]),
        history([4], weights=[-3.0]),
        history([0, 0, 9], weights=[4.0, 0.5, -1.0]),
    ],
    ids=["empty", "likes", "only-dislike", "repeated-and-mixed"],
)
def test_scores_are_finite_and_within_unit_interval(clusters, name, user_history):
    engine = build_engine(name).fit(clusters)
    scores = engine.score(user_history)
    assert scores.shape == (clusters.n_items,)
    assert scores.dtype == np.float32
    assert np.isfinite(scores).all()
    assert scores.min() >= 0.0 and scores.max() <= 1.0


@pytest.mark.parametrize("name", sorted(ENGINE_CLASSES))
@pytest.mark.parametrize(
    "events",
    [[], [(0, 1, -3.0, NOW), (1, 2, -1.0, NOW)], [(0, 1, 4.0, NOW)]],
    ids=["no-interactions", "only-negatives", "one-like"],
)
def test_engines_fit_and_score_on_nearly_empty_data(name, events):
    data = training_from_events(events) if events else empty_training()
    scores = build_engine(name).fit(data).score(history([0, 1]))
    assert scores.shape == (data.n_items,)
    assert np.isfinite(scores).all()
    assert scores.min() >= 0.0 and scores.max() <= 1.0


@pytest.mark.parametrize("name", ENGINE_NAMES)
def test_score_does_not_mask_history_but_recommend_masks_history_and_exclusions(clusters, name):
    engine = build_engine(name).fit(clusters)
    user_history = history([0, 1])
    assert engine.score(user_history).shape == (clusters.n_items,)  # seen items still scored
    items, scores = engine.recommend(user_history, k=10, exclude=np.array([2, 8]))
    assert not {0, 1, 2, 8} & set(items.tolist())
    assert len(items) == clusters.n_items - 4
    assert np.all(np.diff(scores) <= 0)
    assert np.all((scores >= 0) & (scores <= 1))


def test_recommend_with_nothing_left_returns_empty_arrays(clusters):
    engine = build_engine("trending").fit(clusters)
    items, scores = engine.recommend(history([0]), k=5, exclude=np.arange(clusters.n_items))
    assert items.size == 0 and scores.size == 0


@pytest.mark.parametrize("name", ["collaborative", "content", "hybrid", "item_knn"])
def test_explain_points_at_the_liked_item_behind_a_recommendation(clusters, name):
    engine = build_engine(name).fit(clusters)
    user_history = history([9, 0], weights=[0.5, 4.0])  # a comedy view, a science fiction like
    position = engine.explain(user_history, 2)
    assert position == 1


def test_explain_gives_none_when_nothing_supports_the_item(clusters):
    engine = build_engine("content").fit(clusters)
    assert engine.explain(history([0]), 4) is None
    assert engine.explain(History.empty(), 4) is None


def test_interaction_weights_rank_strong_signals_above_weak_ones():
    favorite = interaction_weight("favorite", None)
    like = interaction_weight("like", None)
    view = interaction_weight("view", None)
    watchlist = interaction_weight("watchlist", None)
    assert favorite > like > watchlist > 0
    assert like > view > 0
    assert interaction_weight("rating", 5.0) > interaction_weight("rating", 3.5) > view / 2 > 0
    assert interaction_weight("dislike", None) < 0
    assert interaction_weight("rating", 1.0) < interaction_weight("rating", 2.5) < 0
    assert interaction_weight("rating", None) == 0.0
    assert interaction_weight("unknown", None) == 0.0


def test_vectorised_rating_weights_match_the_scalar_rule():
    ratings = np.arange(0.5, 5.01, 0.5)
    expected = [interaction_weight("rating", r) for r in ratings]
    assert np.allclose(rating_weights(ratings), expected)


# Top lists: equal scores are ordered by index, on every machine ------------------------------


def test_top_indexes_keeps_the_lowest_indexes_among_scores_equal_to_the_last_kept():
    from apps.recommendations.engines.base import top_indexes

    scores = np.zeros(1000)
    scores[[7, 500, 900]] = 1.0
    # np.argpartition alone took 985 to 991 for the seven zeros on this machine's numpy.
    assert top_indexes(scores, 10).tolist() == [7, 500, 900, 0, 1, 2, 3, 4, 5, 6]
    assert top_indexes(np.array([3.0, -np.inf, 3.0, 5.0]), 3).tolist() == [3, 0, 2]
    assert top_indexes(np.array([1.0, 2.0]), 5).tolist() == [1, 0]
    assert top_indexes(np.array([1.0, 2.0]), 0).tolist() == []


def test_top_indexes_rows_is_top_indexes_of_each_row():
    from apps.recommendations.engines.base import top_indexes, top_indexes_rows

    rng = np.random.default_rng(3)
    matrix = rng.integers(0, 4, size=(50, 300)).astype(np.float32)  # many ties at every k-th
    matrix[0] = 0.0
    matrix[1, :295] = -np.inf  # fewer finite scores than k
    top = top_indexes_rows(matrix, 10)
    assert top.shape == (50, 10)
    assert top[0].tolist() == list(range(10))
    for row in range(50):
        assert top[row].tolist() == top_indexes(matrix[row], 10).tolist()


def _top_by_full_sort(row: np.ndarray, k: int) -> list[int]:
    positions = np.arange(row.size)
    order = np.lexsort((positions, -row))
    return order[~np.isnan(row[order])][:k].tolist()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_top_indexes_rows_matches_a_full_sort_of_each_row(dtype):
    """Rows of spread scores take the bounded path (a few values above the slices' bound);
    the others (ties everywhere, mostly blocked, a NaN) take top_indexes. Both answer what a
    full sort by score, then position, answers."""
    from apps.recommendations.engines.base import top_indexes_rows

    rng = np.random.default_rng(7)
    matrix = rng.standard_normal((40, 5003)).astype(dtype)
    matrix[1] = np.round(matrix[1])  # ties at the k-th value
    matrix[2, :4990] = -np.inf  # fewer finite scores than k
    matrix[3, 2500:] = -np.inf  # half blocked, the bound still from finite slices
    matrix[4, 17] = np.nan
    matrix[5, 5002] = np.nan  # past the last slice
    matrix[6] = 0.0
    matrix[7, [9, 4000, 5001]] = 10.0  # the best in the first, a middle and the last slice
    for k in (1, 20, 50):
        top = top_indexes_rows(matrix, k)
        assert top.shape == (40, k)
        for row in range(40):
            assert top[row].tolist() == _top_by_full_sort(matrix[row], k)[:k], (k, row)
    assert top_indexes_rows(matrix[:, :30], 50).shape == (40, 30)
