"""Load a MovieLens directory (ml-latest-small format) into arrays and TrainingData."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse

from apps.recommendations.engines.base import TrainingData
from apps.recommendations.engines.signals import rating_weights

YEAR = re.compile(r"\((\d{4})\)\s*$")
NO_GENRES = "(no genres listed)"


@dataclass
class Ratings:
    """Parallel arrays of rating events, with MovieLens user and movie ids."""

    users: np.ndarray  # int64
    movies: np.ndarray  # int64
    ratings: np.ndarray  # float32
    timestamps: np.ndarray  # int64

    def __len__(self) -> int:
        return self.users.size

    def subset(self, mask: np.ndarray) -> Ratings:
        return Ratings(
            self.users[mask], self.movies[mask], self.ratings[mask], self.timestamps[mask]
        )


@dataclass
class MovieLens:
    movie_ids: np.ndarray  # int64, catalogue order
    titles: list[str]
    genres: list[list[str]]
    ratings: Ratings
    tags: Ratings  # ``ratings`` field unused (zeros); tag texts in ``tag_texts``
    tag_texts: list[str]


def _rows(path: Path):
    with path.open(newline="", encoding="utf-8") as stream:
        reader = csv.reader(stream)
        next(reader, None)
        yield from reader


def movielens_load(directory: str | Path) -> MovieLens:
    """Read movies.csv, ratings.csv and (if present) tags.csv from ``directory``."""
    directory = Path(directory)
    movie_ids, titles, genres = [], [], []
    for movie_id, title, genre_text in _rows(directory / "movies.csv"):
        movie_ids.append(int(movie_id))
        titles.append(title)
        genres.append([g for g in genre_text.split("|") if g and g != NO_GENRES])
    columns = list(zip(*_rows(directory / "ratings.csv"), strict=False)) or [[], [], [], []]
    ratings = Ratings(
        np.asarray(columns[0], dtype=np.int64),
        np.asarray(columns[1], dtype=np.int64),
        np.asarray(columns[2], dtype=np.float32),
        np.asarray(columns[3], dtype=np.int64),
    )
    known = np.isin(ratings.movies, np.asarray(movie_ids, dtype=np.int64))
    if not known.all():
        ratings = ratings.subset(known)
    tag_users, tag_movies, tag_texts, tag_times = [], [], [], []
    if (directory / "tags.csv").exists():
        for user_id, movie_id, tag, timestamp in _rows(directory / "tags.csv"):
            tag_users.append(int(user_id))
            tag_movies.append(int(movie_id))
            tag_texts.append(tag.strip().lower())
            tag_times.append(int(timestamp))
    tags = Ratings(
        np.asarray(tag_users, dtype=np.int64),
        np.asarray(tag_movies, dtype=np.int64),
        np.zeros(len(tag_users), dtype=np.float32),
        np.asarray(tag_times, dtype=np.int64),
    )
    return MovieLens(
        np.asarray(movie_ids, dtype=np.int64), titles, genres, ratings, tags, tag_texts
    )


def item_features(
    data: MovieLens, tag_mask: np.ndarray | None = None
) -> tuple[sparse.csr_matrix, list[str]]:
    """Items x features counts: ``genre:``, ``decade:`` and ``tag:`` (tags where ``tag_mask``)."""
    index = {movie_id: i for i, movie_id in enumerate(data.movie_ids.tolist())}
    vocabulary: dict[str, int] = {}
    rows, cols = [], []

    def add(row: int, name: str) -> None:
        rows.append(row)
        cols.append(vocabulary.setdefault(name, len(vocabulary)))

    for row, (title, genres) in enumerate(zip(data.titles, data.genres, strict=True)):
        for genre in genres:
            add(row, f"genre:{genre}")
        year = YEAR.search(title)
        if year:
            add(row, f"decade:{int(year.group(1)) // 10 * 10}s")
    keep = np.ones(len(data.tag_texts), dtype=bool) if tag_mask is None else tag_mask
    for movie_id, text, kept in zip(data.tags.movies.tolist(), data.tag_texts, keep, strict=True):
        if kept and movie_id in index and text:
            add(index[movie_id], f"tag:{text}")
    matrix = sparse.csr_matrix(
        (np.ones(len(rows), dtype=np.float32), (rows, cols)),
        shape=(len(data.movie_ids), len(vocabulary)),
    )
    matrix.sum_duplicates()
    names = sorted(vocabulary, key=vocabulary.__getitem__)
    return matrix, names


def training_data(
    data: MovieLens, ratings: Ratings, tag_mask: np.ndarray | None = None
) -> TrainingData:
    """TrainingData over the whole catalogue from ``ratings`` (signed rating weights)."""
    user_ids = np.unique(ratings.users)
    item_position = np.searchsorted(data.movie_ids, ratings.movies)
    sorted_ids = data.movie_ids
    if np.any(np.diff(sorted_ids) <= 0):
        order = np.argsort(sorted_ids)
        item_position = order[np.searchsorted(sorted_ids[order], ratings.movies)]
    features, names = item_features(data, tag_mask)
    return TrainingData(
        user_ids=user_ids,
        item_ids=data.movie_ids,
        users=np.searchsorted(user_ids, ratings.users).astype(np.int32),
        items=item_position.astype(np.int32),
        weights=rating_weights(ratings.ratings),
        timestamps=ratings.timestamps,
        item_features=features,
        feature_names=names,
        item_titles=list(data.titles),
    )
