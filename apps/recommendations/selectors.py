"""Reads for recommendations: stored lists, and the catalog facts scoring needs."""

from __future__ import annotations

from django.db import connection
from django.db.models import Count, F, QuerySet, Subquery, Window
from django.db.models.functions import RowNumber

from apps.accounts.models import UserFavoriteGenre
from apps.catalog.models import Movie, MovieGenre
from apps.catalog.ratings import EMPTY_PRIOR_MEAN, bayesian_average, rating_prior_mean
from apps.catalog.selectors import movie_summary_queryset
from apps.core.cache import cached
from apps.interactions.models import Interaction
from apps.interactions.rules import positive_interactions
from apps.interactions.trending import movie_trending
from apps.recommendations.models import RecommendationState, UserRecommendation

POPULAR_NAMESPACE = "recs:popular"
POPULAR_TTL = 30 * 60  # seed 001: trending lists live 30 minutes
POPULAR_POOL = 500
CO_LIKED_SAMPLE = 500  # recent fans of a movie whose other likes are counted


def own_recommendations(*, user) -> QuerySet[UserRecommendation]:
    """Every stored recommendation of ``user``; views reach it through OwnedResourceMixin."""
    return UserRecommendation.objects.filter(user=user)


# What an answer shows of a listed row; its movie is read apart, once for every list that
# shows it (apps.recommendations.answers).
_LISTED_FIELDS = ("id", "user_id", "movie_id", "score", "algorithm", "rank", "reason__text")


def _listed(rows: QuerySet[UserRecommendation], engine: str) -> QuerySet[UserRecommendation]:
    # The rows of ``engine``'s current lists (ranked) whose movie is still served.
    return (
        rows.filter(algorithm=engine, rank__isnull=False, movie__is_active=True)
        .select_related("reason")
        .only(*_LISTED_FIELDS)
    )


def recommendation_list(*, user, engine: str, limit: int) -> list[UserRecommendation]:
    """The user's current list for ``engine``, best first: the rows with their reasons, not
    their movies (``movies_for_summary``), in one query."""
    return list(_listed(own_recommendations(user=user), engine).order_by("rank")[:limit])


def recommendation_lists(
    *, user_ids: list[int], engine: str, limit: int
) -> dict[int, list[UserRecommendation]]:
    """``recommendation_list`` of each of these users, in one query: each user's first
    ``limit`` rows by rank. Users without a list are left out."""
    top = (
        _listed(UserRecommendation.objects.filter(user_id__in=user_ids), engine)
        .annotate(
            position=Window(RowNumber(), partition_by=[F("user_id")], order_by=F("rank").asc())
        )
        .filter(position__lte=limit)
        .order_by("user_id", "rank")
    )
    lists: dict[int, list[UserRecommendation]] = {}
    for row in top:
        lists.setdefault(row.user_id, []).append(row)
    return lists


def stored_list_engines_of(*, user_ids: list[int]) -> dict[int, set[str]]:
    """The engines whose list each of these users has stored (users with none are left out)."""
    engines: dict[int, set[str]] = {}
    for user_id, engine in (
        UserRecommendation.objects.filter(user_id__in=user_ids, rank__isnull=False)
        .order_by()
        .values_list("user_id", "algorithm")
        .distinct()
    ):
        engines.setdefault(user_id, set()).add(engine)
    return engines


def recommendation_state(*, user_id: int) -> RecommendationState | None:
    return RecommendationState.objects.filter(user_id=user_id).first()


def favorite_genres(*, user_id: int) -> list[tuple[int, str]]:
    """(id, name) of the user's favorite genres, as chosen in their profile."""
    return list(
        UserFavoriteGenre.objects.filter(profile__user_id=user_id)
        .order_by("id")
        .values_list("genre_id", "genre__name")
    )


def favorite_genres_of(*, user_ids: list[int]) -> dict[int, list[tuple[int, str]]]:
    """``favorite_genres`` for many users in one query."""
    genres: dict[int, list[tuple[int, str]]] = {}
    for user_id, genre_id, name in (
        UserFavoriteGenre.objects.filter(profile__user_id__in=user_ids)
        .order_by("id")
        .values_list("profile__user_id", "genre_id", "genre__name")
    ):
        genres.setdefault(user_id, []).append((genre_id, name))
    return genres


ACTIVE_IDS_CHUNK = 900


def active_movie_ids(*, movie_ids: set[int]) -> set[int]:
    """Which of ``movie_ids`` still exist and are active."""
    if not movie_ids:
        return set()
    # Plain SQL: for a few hundred ids the ORM's per-value preparation costs more than the
    # query (this runs on every fold-in).
    table = connection.ops.quote_name(Movie._meta.db_table)
    ids = sorted(int(movie_id) for movie_id in movie_ids)
    found: set[int] = set()
    with connection.cursor() as cursor:
        # Chunks keep a training batch's few thousand ids under SQLite's variable limit.
        for start in range(0, len(ids), ACTIVE_IDS_CHUNK):
            chunk = ids[start : start + ACTIVE_IDS_CHUNK]
            placeholders = ", ".join(["%s"] * len(chunk))
            sql = f"SELECT id FROM {table} WHERE is_active AND id IN ({placeholders})"  # noqa: S608
            cursor.execute(sql, chunk)
            found.update(row[0] for row in cursor.fetchall())
    return found


def movies_for_summary(*, movie_ids: list[int]) -> dict[int, Movie]:
    """Active movies by id, with what MovieSummarySerializer reads (two queries)."""
    return movie_summary_queryset().in_bulk(movie_ids)


def _popular_compute() -> list[tuple[int, float]]:
    # What trends this week first (apps.interactions.trending, as movies/trending/ ranks it)...
    ranked = movie_trending(window="week", limit=POPULAR_POOL)
    if len(ranked) < POPULAR_POOL:
        # ...then the movies with the most positive interactions ever, scored below them...
        floor = ranked[-1][1] if ranked else 1.0
        known = {movie_id for movie_id, _ in ranked}
        counted = list(
            Interaction.objects.filter(positive_interactions(), movie__is_active=True)
            .exclude(movie_id__in=known)
            .values("movie_id")
            .annotate(n=Count("id"))
            .order_by("-n", "movie_id")
            .values_list("movie_id", "n")[: POPULAR_POOL - len(ranked)]
        )
        top = counted[0][1] if counted else 1
        ranked.extend((movie_id, floor * n / top) for movie_id, n in counted)
    if len(ranked) < POPULAR_POOL:
        # Too few interactions to rank on: fill with TMDb popularity, below everything counted.
        known = {movie_id for movie_id, _ in ranked}
        extra = (
            Movie.objects.filter(is_active=True)
            .exclude(id__in=known)
            .order_by("-popularity_score", "id")
            .values_list("id", flat=True)[: POPULAR_POOL - len(ranked)]
        )
        ranked.extend((movie_id, 0.0) for movie_id in extra)
    return ranked


def popular_movie_scores() -> list[tuple[int, float]]:
    """What anyone may like without a history, scores in [0, 1] (cached): trending this week,
    then the movies with the most positive interactions, then TMDb's popularity."""
    return cached(POPULAR_NAMESPACE, ("pool",), POPULAR_TTL, _popular_compute)


def best_movies_in_genres(
    *, genre_ids: list[int], exclude: set[int], limit: int
) -> list[tuple[int, float, int]]:
    """The best rated active movies of any of ``genre_ids``: (movie id, score, genre id).

    "Best" is apps.catalog.ratings' Bayesian average of our users' ratings, scaled to [0, 1],
    so a single 5-star rating does not win. A movie nobody here rated competes with TMDb's
    rating on our scale, its votes damped (1,000 TMDb votes count as 20 of ours).
    """
    prior = rating_prior_mean() or EMPTY_PRIOR_MEAN
    rows = (
        MovieGenre.objects.filter(genre_id__in=genre_ids, movie__is_active=True)
        .order_by("-movie__rating_count", "-movie__tmdb_vote_count", "-movie__popularity_score")
        .values_list(
            "movie_id",
            "genre_id",
            "movie__rating_sum",
            "movie__rating_count",
            "movie__tmdb_rating",
            "movie__tmdb_vote_count",
        )[: 20 * (limit + len(exclude))]
    )
    order = {genre_id: i for i, genre_id in enumerate(genre_ids)}
    best: dict[int, tuple[float, int]] = {}
    evidence: dict[int, float] = {}
    for movie_id, genre_id, rating_sum, count, tmdb_rating, tmdb_votes in rows:
        if movie_id in exclude:
            continue
        if count:
            total, votes = float(rating_sum), count
        elif tmdb_rating is not None and tmdb_votes:
            votes = min(tmdb_votes, 1000) / 50
            total = float(tmdb_rating) / 2 * votes
        else:
            total, votes = 0.0, 0
        score = bayesian_average(total, votes, prior_mean=prior) / 5
        evidence[movie_id] = votes
        previous = best.get(movie_id)
        if previous is None or order[genre_id] < order[previous[1]]:
            best[movie_id] = (score, genre_id)
    # Equal estimates: the one more votes stand behind first (an unrated movie scores the prior
    # mean exactly, as does a rated one whose mean is the site's).
    ranked = sorted(best.items(), key=lambda pair: (-pair[1][0], -evidence[pair[0]], pair[0]))
    ranked = ranked[:limit]
    return [(movie_id, score, genre_id) for movie_id, (score, genre_id) in ranked]


def co_liked_movie_scores(*, movie_id: int, limit: int) -> list[tuple[int, float]]:
    """Movies most often liked by the recent fans of ``movie_id``, scores in [0, 1]."""
    fans = (
        Interaction.objects.filter(positive_interactions(), movie_id=movie_id)
        .order_by("-timestamp")
        .values("user_id")[:CO_LIKED_SAMPLE]
    )
    counted = list(
        Interaction.objects.filter(positive_interactions(), user_id__in=Subquery(fans))
        .exclude(movie_id=movie_id)
        .values("movie_id")
        .annotate(n=Count("user_id", distinct=True))
        .order_by("-n", "movie_id")
        .values_list("movie_id", "n")[:limit]
    )
    top = counted[0][1] if counted else 1
    return [(other, n / top) for other, n in counted]
