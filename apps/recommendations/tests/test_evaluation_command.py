"""The evaluate_recommender command end to end on a small generated MovieLens directory."""

import json
from io import StringIO

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from apps.recommendations.evaluation.report import ROWS

GENRES = ("Action", "Comedy", "Drama", "Romance", "Sci-Fi")


def write_synthetic_movielens(directory, seed=7):
    """60 users, 40 movies, each user mostly rating two favourite genres, in time order."""
    rng = np.random.default_rng(seed)
    movie_genres = [GENRES[i % len(GENRES)] for i in range(40)]
    lines = ["movieId,title,genres"]
    lines += [f"{i + 1},Movie {i + 1} ({1980 + i}),{g}" for i, g in enumerate(movie_genres)]
    (directory / "movies.csv").write_text("\n".join(lines) + "\n")
    ratings = ["userId,movieId,rating,timestamp"]
    for user in range(1, 61):
        liked = set(rng.choice(GENRES, size=2, replace=False))
        movies = rng.permutation(40)[:20]
        for step, movie in enumerate(movies):
            rating = 4.5 if movie_genres[movie] in liked else rng.choice([2.0, 3.0, 4.0])
            ratings.append(f"{user},{movie + 1},{rating},{1_000_000 + user * 1000 + step * 10}")
    (directory / "ratings.csv").write_text("\n".join(ratings) + "\n")
    (directory / "tags.csv").write_text("userId,movieId,tag,timestamp\n1,1,explosions,1000500\n")


@pytest.mark.slow
def test_evaluate_recommender_prints_every_engine_and_baseline_with_the_checks(tmp_path):
    write_synthetic_movielens(tmp_path)
    out = StringIO()
    params = tmp_path / "params.json"
    call_command(
        "evaluate_recommender", str(tmp_path), "--quiet", "--params-out", str(params), stdout=out
    )
    text = out.getvalue()
    for label, _, _ in ROWS:
        row = next(line for line in text.splitlines() if line.startswith(label))
        values = [float(x) for x in row[len(label) :].split()]
        assert len(values) == 7  # 4 metrics, NDCG's interval, the ratio to EASE, fit seconds
        assert all(0.0 <= v <= 1.0 for v in values[:5])
    assert text.count("PASS") + text.count("FAIL") == 3
    tuned = json.loads(params.read_text())
    assert set(tuned) >= {"ease", "item_knn", "collaborative", "sequential", "content", "hybrid"}
    assert tuned["ease"]["half_life_events"] is None
    assert [band["max_events"] for band in tuned["hybrid"]["bands"]] == [40, 160, None]
    assert "interval" in next(line for line in text.splitlines() if "x EASE" in line)


def test_evaluate_recommender_refuses_a_directory_without_movielens_files(tmp_path):
    with pytest.raises(CommandError, match=r"ratings\.csv"):
        call_command("evaluate_recommender", str(tmp_path))


def test_evaluate_recommender_refuses_a_fraction_outside_zero_and_one(tmp_path):
    write_synthetic_movielens(tmp_path)
    with pytest.raises(CommandError, match="fraction"):
        call_command("evaluate_recommender", str(tmp_path), "--fraction", "1.5")
