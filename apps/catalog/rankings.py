"""Ranked lists: the latest TMDb snapshot of a list when one was synced, else local data.

Local rankings use only what the database knows: the interaction counters of each movie
(views, likes, dislikes), our ratings with their counts (apps.catalog.ratings'
Bayesian average, so one 5-star rating does not top a movie rated 4.3 by two hundred people),
and release dates. Trending is computed from the interactions themselves, by the
interactions app (apps.interactions.trending), which also serves movies/trending/.
"""

from datetime import timedelta

from django.db.models import (
    ExpressionWrapper,
    F,
    FloatField,
    OrderBy,
    Q,
    QuerySet,
)
from django.db.models.functions import Cast
from django.utils import timezone

from apps.catalog.models import Movie, TMDbListItem
from apps.catalog.ratings import (
    TMDB_PRIOR_MEAN,
    bayesian_average,
    movie_rating_out_of_ten,
    rating_prior_mean,
)
from apps.catalog.selectors import (
    movie_summary_queryset,
    show_summary_queryset,
    summary_genres_prefetch,
)

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
        .prefetch_related(summary_genres_prefetch(f"{target}__genres"))
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


def movie_popularity_order(*, descending: bool = True) -> list[OrderBy]:
    """The one order of movies by popularity: our users' engagement, then TMDb's popularity,
    then TMDb's vote count, ties by id (oldest first); ``descending=False`` is its exact
    reverse. movies/popular/ (without a TMDb snapshot), movies/?ordering=popularity and the
    trending fallback all order by it, so on MovieLens data (no TMDb popularity) the most
    rated movies come first everywhere, never the last imported ids."""
    terms = (engagement(), F("popularity_score"), F("tmdb_vote_count"))
    if descending:
        return [*(term.desc() for term in terms), F("id").asc()]
    return [*(term.asc() for term in terms), F("id").desc()]


def movie_rating_order(*, descending: bool = True) -> list[OrderBy]:
    """The order of movies/?ordering=rating: the rating ``rating_min`` filters on
    (``movie_rating_out_of_ten``: TMDb's where TMDb has votes, else our users' mean doubled),
    so MovieLens imports (no TMDb rating) sort by our ratings instead of all tying at null
    and coming last imported first. Movies without any rating come last both ways; equal
    ratings follow the popularity order (its reverse when ascending), then the id."""
    rating = movie_rating_out_of_ten()
    first = rating.desc(nulls_last=True) if descending else rating.asc(nulls_last=True)
    return [first, *movie_popularity_order(descending=descending)]


def movie_popular_local() -> QuerySet[Movie]:
    return movie_summary_queryset().order_by(*movie_popularity_order())


def movie_top_rated_local() -> QuerySet[Movie]:
    """Bayesian average of our ratings; where nobody rated yet, TMDb's average the same way."""
    mean = rating_prior_mean()
    if mean is not None:
        score = bayesian_average(
            Cast("rating_sum", FloatField()), Cast("rating_count", FloatField()), prior_mean=mean
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
    votes = Cast("tmdb_vote_count", FloatField())
    score = bayesian_average(
        Cast("tmdb_rating", FloatField()) * votes, votes, prior_mean=TMDB_PRIOR_MEAN
    )
    return rated.annotate(bayes_score=score).order_by("-bayes_score", "-tmdb_vote_count", "id")


def movie_upcoming_local(today=None) -> QuerySet[Movie]:
    """Movies released after ``today`` (default: the current date), nearest first."""
    today = today or timezone.localdate()
    return movie_summary_queryset().filter(release_date__gt=today).order_by("release_date", "id")


def movie_now_playing_local() -> QuerySet[Movie]:
    today = timezone.localdate()
    recent = Q(release_date__lte=today, release_date__gt=today - timedelta(days=NOW_PLAYING_DAYS))
    return (
        movie_summary_queryset()
        .filter(recent)
        .order_by(engagement().desc(), "-popularity_score", "-release_date", "id")
    )


LOCAL_RANKINGS = {
    "popular": movie_popular_local,
    "top_rated": movie_top_rated_local,
    "upcoming": movie_upcoming_local,
    "now_playing": movie_now_playing_local,
}


def movie_ranked_list(*, name: str) -> QuerySet:
    """``name`` is a key of LOCAL_RANKINGS. TMDbListItem rows (snapshot) or Movie rows (local).
    (The trending lists, whose local ranking is the interactions app's, are served there.)"""
    items = snapshot_items(key=MOVIE_LISTS[name])
    if items is not None:
        return items
    return LOCAL_RANKINGS[name]()


def show_top_rated() -> QuerySet:
    items = snapshot_items(key=SHOW_TOP_RATED, shows=True)
    if items is not None:
        return items
    return show_top_rated_bayesian()


def show_top_rated_bayesian() -> QuerySet:
    """Active shows with TMDb votes by the Bayesian average of those votes (``bayes_score``,
    0 to 10), best first: the home page's top rated shows, whatever TMDb's list says."""
    return _tmdb_bayes(show_summary_queryset())
