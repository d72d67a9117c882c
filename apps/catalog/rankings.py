"""Ranked lists: the latest TMDb snapshot of a list when one was synced, else local data.

Local rankings use only what the database knows: interactions (views, likes, favorites...),
our ratings with their counts (a Bayesian average, so one 5-star rating does not top a movie
rated 4.3 by two hundred people), and release dates.
"""

from datetime import timedelta

from django.db.models import (
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Cast
from django.utils import timezone

from apps.catalog.models import Genre, Movie, TMDbListItem
from apps.catalog.selectors import movie_summary_queryset, show_summary_queryset

MOVIE_LISTS = {
    "popular": "movie_popular",
    "top_rated": "movie_top_rated",
    "upcoming": "movie_upcoming",
    "now_playing": "movie_now_playing",
    "trending_day": "movie_trending_day",
    "trending_week": "movie_trending_week",
}
SHOW_TOP_RATED = "tv_top_rated"
NOW_PLAYING_DAYS = 45
TRENDING_WINDOWS = {"day": timedelta(days=1), "week": timedelta(days=7)}
# Prior weight of the Bayesian average: as if every movie had this many votes at the mean.
BAYES_MIN_VOTES = 10


def snapshot_items(*, key: str, shows: bool = False) -> QuerySet[TMDbListItem] | None:
    """The items of TMDb list ``key`` in TMDb's order (active targets only); None if the list
    was never synced or is empty. One query to decide."""
    target = "show" if shows else "movie"
    items = (
        TMDbListItem.objects.filter(
            tmdb_list__key=key,
            tmdb_list__synced_at__isnull=False,
            **{f"{target}__is_active": True},
        )
        .select_related(target)
        .prefetch_related(
            Prefetch(f"{target}__genres", queryset=Genre.objects.only("id", "name", "slug"))
        )
        .order_by("position")
    )
    if not items.exists():
        return None
    return items


def engagement() -> ExpressionWrapper:
    """Local popularity: ratings, likes and views count; dislikes count against."""
    return ExpressionWrapper(
        F("rating_count") + 2 * F("like_count") + F("view_count") - F("dislike_count"),
        output_field=FloatField(),
    )


def movie_popular_local() -> QuerySet[Movie]:
    return movie_summary_queryset().order_by(
        engagement().desc(), F("popularity_score").desc(), "-tmdb_vote_count", "id"
    )


def _bayes_prior() -> float:
    totals = Movie.objects.filter(is_active=True, rating_count__gt=0).aggregate(
        votes=Sum("rating_count"), points=Sum("rating_sum")
    )
    if not totals["votes"]:
        return 0.0
    return float(totals["points"]) / float(totals["votes"])


def movie_top_rated_local() -> QuerySet[Movie]:
    """Bayesian average of our ratings; where nobody rated yet, TMDb's average the same way."""
    mean = _bayes_prior()
    if mean:
        score = (Value(BAYES_MIN_VOTES * mean) + Cast("rating_sum", FloatField())) / (
            Value(float(BAYES_MIN_VOTES)) + Cast("rating_count", FloatField())
        )
        return (
            movie_summary_queryset()
            .filter(rating_count__gt=0)
            .annotate(bayes_score=score)
            .order_by("-bayes_score", "-rating_count", "id")
        )
    return _tmdb_bayes(movie_summary_queryset())


def _tmdb_bayes(queryset: QuerySet) -> QuerySet:
    rated = queryset.filter(tmdb_rating__isnull=False, tmdb_vote_count__gt=0)
    mean = 6.0  # TMDb's site-wide average, near enough for a prior
    score = (
        Value(BAYES_MIN_VOTES * mean)
        + Cast("tmdb_rating", FloatField()) * Cast("tmdb_vote_count", FloatField())
    ) / (Value(float(BAYES_MIN_VOTES)) + Cast("tmdb_vote_count", FloatField()))
    return rated.annotate(bayes_score=score).order_by("-bayes_score", "-tmdb_vote_count", "id")


def movie_upcoming_local() -> QuerySet[Movie]:
    today = timezone.localdate()
    return movie_summary_queryset().filter(release_date__gt=today).order_by("release_date", "id")


def movie_now_playing_local() -> QuerySet[Movie]:
    today = timezone.localdate()
    recent = Q(release_date__lte=today, release_date__gt=today - timedelta(days=NOW_PLAYING_DAYS))
    return (
        movie_summary_queryset()
        .filter(recent)
        .order_by(engagement().desc(), "-popularity_score", "-release_date", "id")
    )


def movie_trending_local(*, window: str) -> QuerySet[Movie]:
    """Movies by interactions in the window; the local popular ranking if there were none."""
    since = timezone.now() - TRENDING_WINDOWS[window]
    # The window is a WHERE on the join, so idx_interactions_timestamp finds the window's rows;
    # a FILTER inside the count read every interaction (a 10-million-row scan at seed 002's
    # volumes, docs/deployment.md).
    recent = (
        movie_summary_queryset()
        .filter(interactions__timestamp__gte=since)
        .annotate(recent=Count("interactions"))
        .order_by("-recent", "-popularity_score", "id")
    )
    if recent.exists():
        return recent
    return movie_popular_local()


LOCAL_RANKINGS = {
    "popular": movie_popular_local,
    "top_rated": movie_top_rated_local,
    "upcoming": movie_upcoming_local,
    "now_playing": movie_now_playing_local,
}


def movie_ranked_list(*, name: str) -> QuerySet:
    """``name`` is a key of MOVIE_LISTS. TMDbListItem rows (snapshot) or Movie rows (local)."""
    items = snapshot_items(key=MOVIE_LISTS[name])
    if items is not None:
        return items
    if name.startswith("trending_"):
        return movie_trending_local(window=name.removeprefix("trending_"))
    return LOCAL_RANKINGS[name]()


def show_top_rated() -> QuerySet:
    items = snapshot_items(key=SHOW_TOP_RATED, shows=True)
    if items is not None:
        return items
    return _tmdb_bayes(show_summary_queryset())
