"""What notifications say: movies as the small dicts stored in a message's context
(``id``, ``title``, ``year``, ``reason``), read in as few queries as possible."""

from datetime import date, timedelta

from django.conf import settings
from django.db.models import Prefetch

from apps.catalog.models import Genre, Movie
from apps.catalog.rankings import movie_popular_local
from apps.interactions.trending import movie_trending
from apps.recommendations.models import UserRecommendation
from apps.recommendations.services import DEFAULT_LIST

ITEMS = 5
NEW_RELEASE_DAYS = 14


def movie_url(movie_id: int) -> str:
    """The movie's page on the web front end."""
    return f"{settings.FRONTEND_URL}/movies/{movie_id}"


def movie_item(movie: Movie, reason: str = "") -> dict:
    return {"id": movie.pk, "title": movie.title, "year": movie.release_year, "reason": reason}


def top_recommendations(
    *, user_ids: list[int], limit: int = ITEMS, min_score: float = 0.0, since=None
) -> dict[int, list[tuple[dict, float]]]:
    """Each user's best stored recommendations of the default list (with reasons and scores),
    in one query."""
    rows = (
        UserRecommendation.objects.filter(
            user_id__in=user_ids,
            algorithm=DEFAULT_LIST,
            rank__isnull=False,
            rank__lte=limit if not min_score else 50,
            score__gte=min_score,
            movie__is_active=True,
        )
        .select_related("movie", "reason")
        .only(
            "user_id",
            "rank",
            "score",
            "generated_at",
            "movie__id",
            "movie__title",
            "movie__release_year",
            "reason__text",
        )
        .order_by("user_id", "rank")
    )
    if since is not None:
        rows = rows.filter(generated_at__gte=since)
    found: dict[int, list[tuple[dict, float]]] = {}
    for row in rows:
        items = found.setdefault(row.user_id, [])
        if len(items) < limit:
            items.append((movie_item(row.movie, row.reason.text), row.score))
    return found


def trending_items(*, limit: int = ITEMS) -> list[dict]:
    """What trends this week, else the most popular on our own interactions (one or two
    queries, once per run)."""
    ranked = [movie_id for movie_id, _ in movie_trending(window="week", limit=limit)]
    if ranked:
        movies = Movie.objects.only("id", "title", "release_year").in_bulk(ranked)
        return [movie_item(movies[i]) for i in ranked if i in movies]
    return [
        movie_item(m) for m in movie_popular_local().only("id", "title", "release_year")[:limit]
    ]


def recent_releases(*, today: date, days: int = NEW_RELEASE_DAYS) -> list[Movie]:
    """Active movies released in the last ``days`` days, most popular first, with their genre
    ids (two queries, once per run)."""
    return list(
        Movie.objects.filter(
            is_active=True, release_date__gt=today - timedelta(days=days), release_date__lte=today
        )
        .only("id", "title", "release_year", "release_date", "tmdb_rating", "our_rating")
        .prefetch_related(Prefetch("genres", queryset=Genre.objects.only("id", "name")))
        .order_by("-popularity_score", "id")[:500]
    )


def releases_in_genres(
    releases: list[Movie], genre_ids: set[int], *, limit: int = ITEMS
) -> list[dict]:
    items = []
    for movie in releases:
        names = [g.name for g in movie.genres.all() if g.pk in genre_ids]
        if names:
            items.append(movie_item(movie, f"New in {names[0]}"))
            if len(items) == limit:
                break
    return items
