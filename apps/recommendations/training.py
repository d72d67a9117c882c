"""From the database to the engines' inputs: training data for everyone, histories for a few.

Every signal a user gives becomes a signed event weighed by ``engines.signals``: the
interactions (favorites, likes, ratings, views, watchlist, shares, dislikes), the feedback on
recommendations (positive counts like a like, negative like a dislike, "already seen" like a
view) and clicks on them (as much as a view). Negative feedback and "not interested" also name
the movies whose look-alikes are pushed down in the user's lists (``UserEvents.avoided``).
Item features are catalog genres, keywords, tags, the top-billed cast and the directors and
writers.
"""

from __future__ import annotations

import functools
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from django.db import connection
from scipy import sparse

from apps.catalog.models import Movie, MovieCast, MovieCrew, MovieGenre, MovieKeyword, MovieTag
from apps.core.postgresql.arrays import array_literal
from apps.interactions.models import Interaction
from apps.recommendations.engines.base import History, TrainingData
from apps.recommendations.engines.signals import interaction_weight
from apps.recommendations.models import (
    DismissedMovie,
    FeedbackType,
    RecommendationFeedback,
    RecommendationState,
    UserRecommendation,
)

# Kinds of events beyond the interaction types: they name the reason shown to the user.
FEEDBACK_POSITIVE = "feedback_positive"
FEEDBACK_NEGATIVE = "feedback_negative"
CLICK = "click"
ALREADY_SEEN = "already_seen"

# What the user has already decided about: never recommended again. Views, shares and clicks
# are not decisions, so those movies stay eligible.
EXCLUDING_TYPES = ("rating", "favorite", "dislike", "like", "watchlist")

if TYPE_CHECKING:
    from apps.recommendations.registry import LoadedEngine

CAST_TOP_BILLED = 5
CREW_JOBS = ("Director", "Screenplay", "Writer", "Story", "Novel")
CHUNK = 20_000


@functools.lru_cache(maxsize=1024)
def event_weight(kind: str, rating: float | None = None) -> float:
    """Signed weight of one event of ``kind`` (an interaction type or a feedback kind)."""
    if kind == FEEDBACK_POSITIVE:
        return interaction_weight("like", None)
    if kind == FEEDBACK_NEGATIVE:
        return interaction_weight("dislike", None)
    if kind in (CLICK, ALREADY_SEEN):
        return interaction_weight("view", None)
    return interaction_weight(kind, rating)


def _unix(moment) -> int:
    """Unix seconds of a datetime (or of a number of seconds already)."""
    return int(moment) if isinstance(moment, int | float) else int(moment.timestamp())


@dataclass
class UserEvents:
    """One user's signals by movie id, with what the reasons need to name them."""

    movie_ids: list[int] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    ratings: list[float | None] = field(default_factory=list)
    weights: list[float] = field(default_factory=list)
    timestamps: list[int] = field(default_factory=list)
    titles: dict[int, str] = field(default_factory=dict)
    excluded: set[int] = field(default_factory=set)
    # Movies the user said no to about a suggestion (negative, not interested): similar
    # movies rank lower in every list of this user.
    avoided: set[int] = field(default_factory=set)
    _arrays: tuple | None = field(default=None, repr=False)

    def add(self, movie_id: int, kind: str, rating: float | None, moment, title: str) -> None:
        weight = event_weight(kind, rating)
        if weight == 0:
            return
        self.movie_ids.append(movie_id)
        self.kinds.append(kind)
        self.ratings.append(rating)
        self.weights.append(weight)
        self.timestamps.append(_unix(moment))
        self.titles[movie_id] = title

    @property
    def is_empty(self) -> bool:
        return not self.movie_ids

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Movie ids, weights and timestamps as arrays (built once)."""
        if self._arrays is None or len(self._arrays[0]) != len(self.movie_ids):
            self._arrays = (
                np.asarray(self.movie_ids, dtype=np.int64),
                np.asarray(self.weights, dtype=np.float32),
                np.asarray(self.timestamps, dtype=np.int64),
            )
        return self._arrays

    def history(self, loaded: LoadedEngine) -> tuple[History, list[int]]:
        """The engine-side history over the artifact's item indexes.

        Returns the history and, for each of its positions, the position in these events
        (movies the artifact does not know are left out).
        """
        movie_ids, weights, timestamps = self.arrays()
        items, known = loaded.items_of(movie_ids)
        positions = np.flatnonzero(known)
        history = History(
            items=items[positions].astype(np.int32),
            weights=weights[positions],
            timestamps=timestamps[positions],
        )
        return history, positions.tolist()


def user_events_load(*, user_ids: Iterable[int]) -> dict[int, UserEvents]:
    """The events and exclusions of each of ``user_ids`` (five queries for any number: the
    interactions, their movies' titles, feedback, clicks, dismissals)."""
    user_ids = list(user_ids)
    events: dict[int, UserEvents] = {user_id: UserEvents() for user_id in user_ids}
    weights: dict[tuple[str, float | None], float] = {}
    for user_id, movie_id, kind, rating, moment in _interaction_rows(user_ids):
        # UserEvents.add inlined: this loop runs once per interaction of every user trained.
        weight = weights.get((kind, rating))
        if weight is None:
            weight = weights[(kind, rating)] = event_weight(kind, rating)
        user_events = events[user_id]
        if kind in EXCLUDING_TYPES:
            user_events.excluded.add(movie_id)
        if weight == 0:
            continue
        user_events.movie_ids.append(movie_id)
        user_events.kinds.append(kind)
        user_events.ratings.append(rating)
        user_events.weights.append(weight)
        user_events.timestamps.append(moment)
    # A movie deleted between the two reads (its interactions go with it) has no title.
    titles = _movie_titles({m for user_events in events.values() for m in user_events.movie_ids})
    for user_events in events.values():
        user_events.titles = {m: titles.get(m, "") for m in user_events.movie_ids}

    feedback = (
        RecommendationFeedback.objects.filter(
            user_id__in=user_ids,
            feedback_type__in=(FeedbackType.POSITIVE, FeedbackType.NEGATIVE),
        )
        .order_by("timestamp", "id")
        .values_list(
            "user_id",
            "recommendation__movie_id",
            "feedback_type",
            "timestamp",
            "recommendation__movie__title",
        )
    )
    for user_id, movie_id, feedback_type, moment, title in feedback:
        kind = FEEDBACK_POSITIVE if feedback_type == FeedbackType.POSITIVE else FEEDBACK_NEGATIVE
        events[user_id].add(movie_id, kind, None, moment, title)
        if kind == FEEDBACK_NEGATIVE:
            # "Not for me" about a suggestion is a dislike of that movie: never shown again.
            events[user_id].excluded.add(movie_id)
            events[user_id].avoided.add(movie_id)

    clicks = (
        UserRecommendation.objects.filter(user_id__in=user_ids, clicked=True)
        .order_by("clicked_at", "id")
        .values_list("user_id", "movie_id", "clicked_at", "movie__title")
        .distinct()
    )
    seen_clicks: set[tuple[int, int]] = set()
    for user_id, movie_id, moment, title in clicks:
        # A movie clicked in two engines' lists is one click.
        if (user_id, movie_id) not in seen_clicks and moment is not None:
            seen_clicks.add((user_id, movie_id))
            events[user_id].add(movie_id, CLICK, None, moment, title)

    dismissed = (
        DismissedMovie.objects.filter(user_id__in=user_ids)
        .order_by("created_at", "id")
        .values_list("user_id", "movie_id", "feedback_type", "created_at", "movie__title")
    )
    for user_id, movie_id, feedback_type, moment, title in dismissed:
        events[user_id].excluded.add(movie_id)
        if feedback_type == FeedbackType.ALREADY_SEEN:
            events[user_id].add(movie_id, ALREADY_SEEN, None, moment, title)
        else:
            events[user_id].avoided.add(movie_id)
    return events


def _interaction_rows(user_ids: list[int]):
    """(user id, movie id, type, rating or None, unix seconds) of each interaction of
    ``user_ids`` in time order: one plain query per 1,000 users, numbers as numbers (the
    ORM's datetime and Decimal per row cost more than the rest of a refresh's reading).

    The titles are read apart (``_movie_titles``): joined here, PostgreSQL planned a refresh's
    read (20 users, about a thousand rows at seed 002's volumes) as a hash of the whole movies
    table (21 to 27 ms alone) or as a parallel scan, 41 ms a call on average during a run of
    likes; without the join it took 4.6 ms alone (issue 16)."""
    interactions = connection.ops.quote_name(Interaction._meta.db_table)
    if connection.vendor == "postgresql":
        epoch = 'FLOOR(EXTRACT(EPOCH FROM i."timestamp"))::bigint'
        rating = "i.rating::float8"
    else:
        # '%%s': the backend turns every unescaped %s into a parameter, even in quotes.
        epoch = "CAST(strftime('%%s', i.\"timestamp\") AS INTEGER)"
        rating = "CAST(i.rating AS REAL)"
    with connection.cursor() as cursor:
        for start in range(0, len(user_ids), 1000):
            chunk = user_ids[start : start + 1000]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"SELECT i.user_id, i.movie_id, i.interaction_type, {rating}, {epoch} "  # noqa: S608
                f"FROM {interactions} i "
                f'WHERE i.user_id IN ({marks}) ORDER BY i."timestamp", i.id',
                chunk,
            )
            yield from cursor.fetchall()


def _movie_titles(movie_ids: set[int]) -> dict[int, str]:
    """The titles of these movies, by id, in one query on PostgreSQL (the ids as one array
    literal, apps.core.postgresql.arrays: a thousand of them as the ORM's ``IN`` parameters
    cost 4.5 to 5.7 ms of CPU to send, as a list 0.9 ms, as one string 0.1 ms), in chunks of
    500 on SQLite; none for none."""
    movies = connection.ops.quote_name(Movie._meta.db_table)
    ordered = sorted(movie_ids)
    titles: dict[int, str] = {}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            if ordered:
                cursor.execute(
                    f"SELECT id, title FROM {movies} WHERE id = ANY(%s::bigint[])",  # noqa: S608
                    [array_literal(ordered)],
                )
                titles.update(cursor.fetchall())
            return titles
        for start in range(0, len(ordered), 500):
            chunk = ordered[start : start + 500]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"SELECT id, title FROM {movies} WHERE id IN ({marks})", chunk)  # noqa: S608
            titles.update(cursor.fetchall())
    return titles


def users_with_signals() -> list[int]:
    """Ids of every user who has interactions, in id order."""
    return list(
        Interaction.objects.order_by("user_id").values_list("user_id", flat=True).distinct()
    )


def users_active_since(moment) -> list[int]:
    """Ids of the users with an interaction at or after ``moment``, or who read their
    recommendations since then (``recommendation_states.seen_at``), in id order."""
    acted = Interaction.objects.filter(timestamp__gte=moment).values_list("user_id", flat=True)
    seen = RecommendationState.objects.filter(seen_at__gte=moment).values_list("user_id", flat=True)
    return sorted(set(acted.distinct()) | set(seen))


def _item_features(
    item_ids: np.ndarray, index_of: dict[int, int]
) -> tuple[sparse.csr_matrix, list[str]]:
    """Binary items x features matrix from the catalog (one query per feature kind)."""
    names: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []

    def add(movie_id: int, feature: str) -> None:
        item = index_of.get(movie_id)
        if item is None:
            return
        rows.append(item)
        cols.append(names.setdefault(feature, len(names)))

    for movie_id, name in MovieGenre.objects.values_list("movie_id", "genre__name").iterator(
        chunk_size=CHUNK
    ):
        add(movie_id, f"genre:{name}")
    for movie_id, keyword_id in MovieKeyword.objects.values_list("movie_id", "keyword_id").iterator(
        chunk_size=CHUNK
    ):
        add(movie_id, f"keyword:{keyword_id}")
    for movie_id, tag in MovieTag.objects.values_list("movie_id", "tag").iterator(chunk_size=CHUNK):
        tag = " ".join(tag.lower().split())
        if tag:
            add(movie_id, f"tag:{tag}")
    for movie_id, person_id in (
        MovieCast.objects.filter(order__lt=CAST_TOP_BILLED)
        .values_list("movie_id", "person_id")
        .iterator(chunk_size=CHUNK)
    ):
        add(movie_id, f"cast:{person_id}")
    for movie_id, person_id in (
        MovieCrew.objects.filter(job__in=CREW_JOBS)
        .values_list("movie_id", "person_id")
        .iterator(chunk_size=CHUNK)
    ):
        add(movie_id, f"crew:{person_id}")

    matrix = sparse.csr_matrix(
        (np.ones(len(rows), dtype=np.float32), (rows, cols)),
        shape=(len(item_ids), len(names)),
    )
    matrix.sum_duplicates()
    matrix.data[:] = 1.0
    return matrix, list(names)


INTERACTIONS_FETCH = 100_000  # rows fetched at a time by the vectorised interaction read


def _interaction_columns() -> tuple[np.ndarray, ...]:
    """Every interaction as columns (user id, movie id, type, rating or NaN, unix seconds).

    One plain query read in chunks into arrays: at ten million rows the ORM's per-row
    objects (a datetime and a Decimal each) cost minutes; this costs seconds.
    """
    table = connection.ops.quote_name(Interaction._meta.db_table)
    if connection.vendor == "postgresql":
        epoch = 'EXTRACT(EPOCH FROM "timestamp")::bigint'
        rating = "rating::float8"
    else:
        epoch = "CAST(strftime('%s', \"timestamp\") AS INTEGER)"
        rating = "CAST(rating AS REAL)"
    sql = f"SELECT user_id, movie_id, interaction_type, {rating}, {epoch} FROM {table}"  # noqa: S608
    columns: list[list[np.ndarray]] = [[], [], [], [], []]
    with connection.cursor() as cursor:
        cursor.execute(sql)
        while rows := cursor.fetchmany(INTERACTIONS_FETCH):
            user_ids, movie_ids, kinds, ratings, moments = zip(*rows, strict=True)
            columns[0].append(np.asarray(user_ids, dtype=np.int64))
            columns[1].append(np.asarray(movie_ids, dtype=np.int64))
            columns[2].append(np.asarray(kinds, dtype=object))
            columns[3].append(
                np.asarray([np.nan if r is None else r for r in ratings], dtype=np.float64)
            )
            columns[4].append(np.asarray(moments, dtype=np.int64))
    if not columns[0]:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, np.empty(0, dtype=object), np.empty(0), empty
    return tuple(np.concatenate(column) for column in columns)


def _interaction_weights(kinds: np.ndarray, ratings: np.ndarray) -> np.ndarray:
    """``event_weight`` of each (type, rating), computed once per distinct pair.

    Types become codes through a dict and ratings (half steps) become table columns: linear
    in the rows, where sorting ten million strings and pairs took seconds.
    """
    if kinds.size == 0:
        return np.empty(0, np.float32)
    names = sorted(set(kinds.tolist()))
    code_of = {name: code for code, name in enumerate(names)}
    codes = np.fromiter((code_of[kind] for kind in kinds.tolist()), np.int64, kinds.size)
    halves = np.where(np.isnan(ratings), -1, np.rint(np.nan_to_num(ratings) * 2)).astype(np.int64)
    exact = np.isnan(ratings) | (halves == np.nan_to_num(ratings) * 2)
    weights = np.empty(kinds.size, dtype=np.float32)
    if exact.all() and halves.max(initial=-1) <= 20 and halves.min(initial=-1) >= -1:
        table = np.array(
            [
                [event_weight(name, None if half < 0 else half / 2) for half in range(-1, 21)]
                for name in names
            ],
            dtype=np.float32,
        )
        weights[:] = table[codes, halves + 1]
        return weights
    # Ratings off the half-step scale: one call per distinct (type, rating) pair.
    rating_keys = np.where(np.isnan(ratings), -1.0, ratings)
    pairs, pair_index = np.unique(
        np.stack([codes.astype(np.float64), rating_keys], axis=1), axis=0, return_inverse=True
    )
    table = np.array(
        [
            event_weight(names[int(code)], None if rating < 0 else float(rating))
            for code, rating in pairs
        ],
        dtype=np.float32,
    )
    return table[np.asarray(pair_index).ravel()]


def training_data_build(*, now: int | None = None) -> TrainingData:
    """Every user's events over every movie, with item features, ready for ``Engine.fit``.

    ``now`` (unix seconds) anchors the trending decay; by default the latest event. User
    indexes follow user ids.
    """
    movies = list(Movie.objects.order_by("id").values_list("id", "title"))
    item_ids = np.fromiter((movie_id for movie_id, _ in movies), dtype=np.int64, count=len(movies))
    item_titles = [title for _, title in movies]
    item_index = {int(movie_id): i for i, movie_id in enumerate(item_ids)}

    # Feedback, clicks and dismissals are few: read row by row, then joined to the columns.
    extra_users: list[int] = []
    extra_items: list[int] = []
    extra_weights: list[float] = []
    extra_timestamps: list[int] = []

    def add(user_id: int, movie_id: int, kind: str, rating: float | None, moment) -> None:
        weight = event_weight(kind, rating)
        item = item_index.get(movie_id)
        if weight == 0 or item is None or moment is None:
            return
        extra_users.append(user_id)
        extra_items.append(item)
        extra_weights.append(weight)
        extra_timestamps.append(_unix(moment))

    for user_id, movie_id, feedback_type, moment in (
        RecommendationFeedback.objects.filter(
            feedback_type__in=(FeedbackType.POSITIVE, FeedbackType.NEGATIVE)
        )
        .order_by()
        .values_list("user_id", "recommendation__movie_id", "feedback_type", "timestamp")
        .iterator(chunk_size=CHUNK)
    ):
        kind = FEEDBACK_POSITIVE if feedback_type == FeedbackType.POSITIVE else FEEDBACK_NEGATIVE
        add(user_id, movie_id, kind, None, moment)
    clicked = defaultdict(lambda: None)
    for user_id, movie_id, moment in (
        UserRecommendation.objects.filter(clicked=True, clicked_at__isnull=False)
        .order_by()
        .values_list("user_id", "movie_id", "clicked_at")
        .iterator(chunk_size=CHUNK)
    ):
        clicked[(user_id, movie_id)] = max(filter(None, (clicked[(user_id, movie_id)], moment)))
    for (user_id, movie_id), moment in clicked.items():
        add(user_id, movie_id, CLICK, None, moment)
    for user_id, movie_id, moment in (
        DismissedMovie.objects.filter(feedback_type=FeedbackType.ALREADY_SEEN)
        .order_by()
        .values_list("user_id", "movie_id", "created_at")
        .iterator(chunk_size=CHUNK)
    ):
        add(user_id, movie_id, ALREADY_SEEN, None, moment)

    user_column, movie_column, kinds, ratings, moments = _interaction_columns()
    positions = np.searchsorted(item_ids, movie_column)
    positions = np.minimum(positions, max(item_ids.size - 1, 0))
    known = (item_ids[positions] == movie_column) if item_ids.size else movie_column < 0
    weights_column = _interaction_weights(kinds, ratings)
    keep = known & (weights_column != 0)
    all_users = np.concatenate([user_column[keep], np.asarray(extra_users, dtype=np.int64)])
    user_ids, users = np.unique(all_users, return_inverse=True)
    items = np.concatenate([positions[keep], np.asarray(extra_items, dtype=np.int64)])
    weights = np.concatenate([weights_column[keep], np.asarray(extra_weights, dtype=np.float32)])
    timestamps = np.concatenate([moments[keep], np.asarray(extra_timestamps, dtype=np.int64)])
    features, feature_names = _item_features(item_ids, item_index)
    return TrainingData(
        user_ids=user_ids.astype(np.int64),
        item_ids=item_ids,
        users=np.asarray(users, dtype=np.int32).ravel(),
        items=items.astype(np.int32),
        weights=weights.astype(np.float32),
        timestamps=timestamps.astype(np.int64),
        item_features=features,
        feature_names=feature_names,
        item_titles=item_titles,
        # Trending decays from the latest event, not the wall clock: an imported dataset whose
        # last rating is years old must not decay to all zeros.
        now=now if now is not None else min(int(time.time()), int(timestamps.max(initial=0))),
    )
