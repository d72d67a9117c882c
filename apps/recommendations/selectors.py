"""Reads for recommendations: stored lists, and the catalog facts scoring needs."""

from __future__ import annotations

from django.db import connection
from django.db.models import Count, Prefetch, Q, QuerySet, Subquery

from apps.accounts.models import UserFavoriteGenre
from apps.catalog.models import Genre, Movie, MovieGenre
from apps.catalog.selectors import movie_summary_queryset
from apps.core.cache import cached
from apps.interactions.models import Interaction
from apps.recommendations.models import RecommendationState, UserRecommendation

POPULAR_NAMESPACE = "recs:popular"
POPULAR_TTL = 30 * 60  # seed 001: trending lists live 30 minutes
POPULAR_POOL = 500
CO_LIKED_SAMPLE = 500  # recent fans of a movie whose other likes are counted
# A rating of 3.5 or more is a positive, as in the offline evaluation.
POSITIVE = Q(interaction_type__in=("favorite", "like", "watchlist")) | Q(
    interaction_type="rating", rating__gte=3.5
)


def own_recommendations(*, user) -> QuerySet[UserRecommendation]:
    """Every stored recommendation of ``user``: the one place ownership is enforced."""
    return UserRecommendation.objects.filter(user=user)


def recommendation_list(*, user, engine: str, limit: int) -> list[UserRecommendation]:
    """The user's current list for ``engine``, best first, with movies for the summary."""
    return list(
        own_recommendations(user=user)
        .filter(algorithm=engine, rank__isnull=False, movie__is_active=True)
        .select_related("movie", "reason")
        .prefetch_related(
            Prefetch("movie__genres", queryset=Genre.objects.only("id", "name", "slug"))
        )
        .order_by("rank")[:limit]
    )


def stored_list_engines(*, user_id: int) -> list[str]:
    """The engines whose list the user has stored."""
    return list(
        UserRecommendation.objects.filter(user_id=user_id, rank__isnull=False)
        .order_by()
        .values_list("algorithm", flat=True)
        .distinct()
    )


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
    counted = list(
        Interaction.objects.filter(POSITIVE, movie__is_active=True)
        .values("movie_id")
        .annotate(n=Count("id"))
        .order_by("-n", "movie_id")
        .values_list("movie_id", "n")[:POPULAR_POOL]
    )
    top = counted[0][1] if counted else 1
    ranked = [(movie_id, n / top) for movie_id, n in counted]
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
    """Movies by how many positive interactions they have, with scores in [0, 1] (cached)."""
    return cached(POPULAR_NAMESPACE, ("pool",), POPULAR_TTL, _popular_compute)


def best_movies_in_genres(
    *, genre_ids: list[int], exclude: set[int], limit: int
) -> list[tuple[int, float, int]]:
    """The best rated active movies of any of ``genre_ids``: (movie id, score, genre id).

    "Best" is a Bayesian average: our users' mean rating shrunk toward 3.25 by 20 phantom
    votes (TMDb's mean when we have no ratings), so a single 5-star rating does not win.
    """
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
        score = (20 * 3.25 + total) / (20 + votes) / 5
        previous = best.get(movie_id)
        if previous is None or order[genre_id] < order[previous[1]]:
            best[movie_id] = (score, genre_id)
    ranked = sorted(best.items(), key=lambda pair: (-pair[1][0], pair[0]))[:limit]
    return [(movie_id, score, genre_id) for movie_id, (score, genre_id) in ranked]


def co_liked_movie_scores(*, movie_id: int, limit: int) -> list[tuple[int, float]]:
    """Movies most often liked by the recent fans of ``movie_id``, scores in [0, 1]."""
    fans = (
        Interaction.objects.filter(POSITIVE, movie_id=movie_id)
        .order_by("-timestamp")
        .values("user_id")[:CO_LIKED_SAMPLE]
    )
    counted = list(
        Interaction.objects.filter(POSITIVE, user_id__in=Subquery(fans))
        .exclude(movie_id=movie_id)
        .values("movie_id")
        .annotate(n=Count("user_id", distinct=True))
        .order_by("-n", "movie_id")
        .values_list("movie_id", "n")[:limit]
    )
    top = counted[0][1] if counted else 1
    return [(other, n / top) for other, n in counted]
