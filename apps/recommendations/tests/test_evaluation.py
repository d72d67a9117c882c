"""Offline evaluation: metrics by hand, the temporal split never leaks, MovieLens loading."""

import math
from pathlib import Path

import numpy as np
import pytest

from apps.core.testing import shared_movielens_small
from apps.recommendations.evaluation.metrics import (
    catalogue_coverage,
    hit_rate_at_k,
    ndcg_at_k,
    recall_at_k,
)
from apps.recommendations.evaluation.movielens import Ratings, movielens_load, training_data
from apps.recommendations.evaluation.runner import evaluation_set, top_items
from apps.recommendations.evaluation.split import tag_mask_before, temporal_split


def ratings_of(rows) -> Ratings:
    users, movies, values, times = zip(*rows, strict=True)
    return Ratings(
        np.array(users, dtype=np.int64),
        np.array(movies, dtype=np.int64),
        np.array(values, dtype=np.float32),
        np.array(times, dtype=np.int64),
    )


def test_ndcg_matches_a_hand_computed_value():
    # Hits at ranks 2 and 4: (1/log2(3) + 1/log2(5)) / (1 + 1/log2(3)).
    expected = (1 / math.log2(3) + 1 / math.log2(5)) / (1 + 1 / math.log2(3))
    assert ndcg_at_k(np.array([5, 1, 7, 3]), [1, 3], 4) == pytest.approx(expected)
    assert ndcg_at_k(np.array([1, 3, 5]), [1, 3], 10) == pytest.approx(1.0)
    assert ndcg_at_k(np.array([5, 7]), [1], 10) == 0.0
    assert ndcg_at_k(np.array([5, 7]), [], 10) == 0.0


def test_ndcg_ignores_hits_below_the_cutoff():
    assert ndcg_at_k(np.array([5, 7, 1]), [1], 2) == 0.0


def test_recall_divides_by_the_smaller_of_k_and_the_relevant_count():
    assert recall_at_k(np.array([5, 1, 7, 3]), [1, 3], 2) == pytest.approx(0.5)
    assert recall_at_k(np.array([1, 2]), [1, 2, 3, 4], 2) == pytest.approx(1.0)
    assert recall_at_k(np.array([1, 9, 9, 9]), [1, 2, 3, 4], 4) == pytest.approx(0.25)


def test_hit_rate_is_one_when_any_relevant_item_is_in_the_top_k():
    assert hit_rate_at_k(np.array([5, 1]), [1], 1) == 0.0
    assert hit_rate_at_k(np.array([5, 1]), [1], 2) == 1.0


def test_coverage_counts_distinct_items_in_every_top_k():
    assert catalogue_coverage([np.array([1, 2, 9]), np.array([2, 3, 8])], 10, 2) == 0.3
    assert catalogue_coverage([], 10, 2) == 0.0


def test_top_items_excludes_seen_items_and_sorts_by_score():
    scores = np.array([0.9, 0.1, 0.8, 0.7, 0.2])
    assert top_items(scores, np.array([0]), depth=3).tolist() == [2, 3, 4]


def test_split_holds_out_the_latest_fifth_of_positives_and_trains_only_on_the_past():
    rows = [(1, movie, 4.0, t) for movie, t in zip(range(10, 20), range(100, 110), strict=True)]
    rows += [(1, 50, 1.0, 103), (1, 51, 1.0, 200), (1, 52, 5.0, 200)]  # low ratings, a late 5
    rows += [(2, 10, 5.0, 500), (2, 11, 2.0, 400)]  # one positive: nothing to hold out
    split = temporal_split(ratings_of(rows))
    # 11 positives: round(0.2 * 11) = 2 held out, the two latest.
    assert sorted(split.test.movies[split.test.users == 1].tolist()) == [19, 52]
    # Training: everything strictly before 109, low ratings included; the later low one dropped.
    assert sorted(split.train.movies[split.train.users == 1].tolist()) == [*range(10, 19), 50]
    assert sorted(split.train.movies[split.train.users == 2].tolist()) == [10, 11]
    assert split.cutoffs == {1: 109}


def test_split_drops_a_training_candidate_tied_with_the_first_held_out_item():
    rows = [
        (3, movie, 4.5, t) for movie, t in zip((1, 2, 3, 4, 5), (10, 20, 30, 40, 40), strict=True)
    ]
    split = temporal_split(ratings_of(rows))
    assert split.test.movies.tolist() == [5]
    assert sorted(split.train.movies.tolist()) == [1, 2, 3]  # 4 shares the held-out second
    assert split.train.timestamps.max() < split.test.timestamps.min()


def test_tags_written_at_or_after_a_users_cutoff_are_masked():
    tags = ratings_of([(1, 10, 0.0, 50), (1, 11, 0.0, 109), (2, 10, 0.0, 999)])
    assert tag_mask_before(tags, {1: 109}).tolist() == [True, False, True]


def write_movielens(directory: Path) -> None:
    (directory / "movies.csv").write_text(
        "movieId,title,genres\n"
        '1,"Alien, The Director\'s Cut (1979)",Horror|Sci-Fi\n'
        "2,Amelie (2001),Comedy|Romance\n"
        "3,Untitled,(no genres listed)\n"
    )
    (directory / "ratings.csv").write_text(
        "userId,movieId,rating,timestamp\n"
        "7,1,5.0,100\n7,2,4.0,200\n7,3,1.0,150\n8,2,3.0,50\n8,99,4.0,60\n"
    )
    (directory / "tags.csv").write_text(
        "userId,movieId,tag,timestamp\n7,1,Space Horror,90\n7,2,french,300\n"
    )


def test_movielens_directory_loads_into_training_data_with_genre_decade_and_tag_features(
    tmp_path,
):
    write_movielens(tmp_path)
    movielens = movielens_load(tmp_path)
    assert movielens.titles[0] == "Alien, The Director's Cut (1979)"
    assert movielens.genres[2] == []
    assert 99 not in movielens.ratings.movies  # a rating of an unknown movie is skipped
    data = training_data(movielens, movielens.ratings, np.array([True, False]))
    features = dict(zip(data.feature_names, data.item_features.toarray()[0], strict=True))
    assert features["genre:Sci-Fi"] == 1 and features["decade:1970s"] == 1
    assert features["tag:space horror"] == 1
    assert "tag:french" not in data.feature_names  # masked tag
    assert data.item_ids.tolist() == [1, 2, 3]
    assert data.user_ids.tolist() == [7, 8]
    user_seven = data.users == 0
    assert sorted(data.item_ids[data.items[user_seven]].tolist()) == [1, 2, 3]
    assert data.weights[user_seven & (data.items == 2)][0] < 0  # the 1.0 rating is negative


def test_evaluation_set_pairs_each_users_past_with_their_held_out_items(tmp_path):
    write_movielens(tmp_path)
    movielens = movielens_load(tmp_path)
    split = temporal_split(movielens.ratings, fraction=0.5)
    evaluation = evaluation_set(movielens, split)
    assert len(evaluation.histories) == 1  # user 8 has a single positive
    (history,) = evaluation.histories
    assert evaluation.data.item_ids[history.items].tolist() == [1, 3]
    assert evaluation.data.item_ids[evaluation.relevant[0]].tolist() == [2]


def test_split_of_movielens_small_never_trains_on_a_users_future():
    ratings = movielens_load(shared_movielens_small()).ratings
    split = temporal_split(ratings)
    for user, cutoff in split.cutoffs.items():
        train_times = split.train.timestamps[split.train.users == user]
        test_times = split.test.timestamps[split.test.users == user]
        assert train_times.size == 0 or train_times.max() < cutoff <= test_times.min()
    assert (split.test.ratings >= 3.5).all()
    positives = int((ratings.ratings >= 3.5).sum())
    assert 0.18 < len(split.test) / positives < 0.23
    inner = temporal_split(split.train)
    assert not set(zip(inner.test.users.tolist(), inner.test.movies.tolist(), strict=True)) & set(
        zip(split.test.users.tolist(), split.test.movies.tolist(), strict=True)
    )
