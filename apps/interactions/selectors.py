"""Reads of the interactions app: querysets and summaries shaped for one use each."""

from decimal import Decimal

from django.db.models import Avg, Count, FilteredRelation, Prefetch, Q, QuerySet, Sum

from apps.catalog.models import Episode, Genre, Movie
from apps.catalog.selectors import movie_summary_queryset
from apps.core.exceptions import NotFound
from apps.interactions.models import (
    EpisodeReview,
    Interaction,
    InteractionType,
    UserList,
    UserListItem,
)
from apps.interactions.rules import positive_interactions

TOP_GENRES = 5


def _with_movie(queryset: QuerySet) -> QuerySet:
    """Rows whose movie is active, with the movie as MovieSummarySerializer needs it."""
    return queryset.filter(movie__is_active=True).prefetch_related(
        Prefetch("movie", queryset=movie_summary_queryset())
    )


def interaction_list(*, user, interaction_type: str) -> QuerySet[Interaction]:
    """The user's rows of one type (favorites, watchlist, ratings), newest first."""
    return _with_movie(
        Interaction.objects.filter(user=user, interaction_type=interaction_type)
    ).order_by("-timestamp", "-id")


def history_list(*, user) -> QuerySet[Interaction]:
    """Everything the user did with movies, newest first."""
    return _with_movie(Interaction.objects.filter(user=user)).order_by("-timestamp", "-id")


def interaction_state(*, user, movie: Movie) -> dict:
    """The user's current relation to one movie, and the movie's public aggregates."""
    rows = {
        row.interaction_type: row
        for row in Interaction.objects.filter(user=user, movie=movie).only(
            "interaction_type", "rating", "notes", "count"
        )
    }
    return interaction_state_of(movie=movie, rows=rows)


def interaction_state_of(*, movie: Movie, rows: dict) -> dict:
    """``interaction_state`` from rows already read: ``rows`` maps an interaction type to its
    row (anything with ``rating``, ``notes`` and ``count``); the write services answer with
    this, from the rows they read and changed, without reading them again."""
    favorite = rows.get(InteractionType.FAVORITE)
    rating = rows.get(InteractionType.RATING)
    return {
        "movie_id": movie.pk,
        "favorite": favorite is not None,
        "favorite_notes": favorite.notes if favorite else None,
        "favorite_rating": favorite.rating if favorite else None,
        "watchlist": InteractionType.WATCHLIST in rows,
        "like": InteractionType.LIKE in rows,
        "dislike": InteractionType.DISLIKE in rows,
        "rating": rating.rating if rating else None,
        "views": rows[InteractionType.VIEW].count if InteractionType.VIEW in rows else 0,
        "shares": rows[InteractionType.SHARE].count if InteractionType.SHARE in rows else 0,
        "movie_stats": {
            "like_count": movie.like_count,
            "dislike_count": movie.dislike_count,
            "view_count": movie.view_count,
            "rating_count": movie.rating_count,
            "our_rating": movie.our_rating,
        },
    }


def user_stats(*, user) -> dict:
    """Counts by type, top genres and the average rating of one user (two queries)."""
    per_type = (
        Interaction.objects.filter(user=user)
        .values("interaction_type")
        .annotate(rows=Count("id"), events=Sum("count"), average=Avg("rating"))
    )
    counts = {choice: 0 for choice in InteractionType.values}
    average_rating = None
    total_views = 0
    for row in per_type:
        counts[row["interaction_type"]] = row["rows"]
        if row["interaction_type"] == InteractionType.VIEW:
            total_views = row["events"] or 0
        if row["interaction_type"] == InteractionType.RATING and row["average"] is not None:
            average_rating = Decimal(str(row["average"])).quantize(Decimal("0.01"))
    # The genres of the movies the user liked (rules.positive_interactions: not the watchlist).
    positive_movies = Interaction.objects.filter(
        positive_interactions(), user=user, movie__is_active=True
    )
    top_genres = (
        Genre.objects.filter(movie_links__movie__in=positive_movies.values("movie_id"))
        .annotate(enjoyed=Count("movie_links__movie", distinct=True))
        .order_by("-enjoyed", "name")
        .values("id", "name", "slug", "enjoyed")[:TOP_GENRES]
    )
    return {
        "counts": counts,
        "total_views": total_views,
        "average_rating": average_rating,
        "top_genres": list(top_genres),
    }


def user_list_queryset(*, user) -> QuerySet[UserList]:
    """The user's own lists with their sizes, most recently changed first."""
    return (
        UserList.objects.filter(user=user)
        .annotate(item_count=Count("items"))
        .order_by("-updated_at", "-id")
    )


def user_list_public_get(*, slug: str) -> UserList | None:
    """A public list by its share slug, with its owner and size; None if absent or private."""
    return (
        UserList.objects.filter(share_slug=slug, is_public=True)
        .select_related("user")
        .annotate(item_count=Count("items"))
        .first()
    )


def user_list_items(*, user_list: UserList) -> QuerySet[UserListItem]:
    """A list's items in order, with their movies (inactive movies hidden)."""
    return _with_movie(UserListItem.objects.filter(user_list=user_list)).order_by("position", "id")


def episode_get_visible(*, episode_id: int) -> Episode:
    """The episode, if its show is active; NotFound otherwise."""
    episode = Episode.objects.filter(pk=episode_id, season__show__is_active=True).only("id").first()
    if episode is None:
        raise NotFound("Episode not found.", code="episode_not_found")
    return episode


def episode_review_list(*, episode_id: int) -> QuerySet[EpisodeReview]:
    """An episode's visible reviews with their authors, newest first."""
    return (
        EpisodeReview.objects.filter(episode_id=episode_id, active=True)
        .select_related("user")
        .order_by("-created", "-id")
    )


def episode_review_summary(*, episode_id: int) -> dict:
    """The average rating (1 to 10, two decimals) and number of an episode's visible reviews."""
    summary = EpisodeReview.objects.filter(episode_id=episode_id, active=True).aggregate(
        average=Avg("rating"), count=Count("id")
    )
    average = summary["average"]
    return {
        "average_rating": round(float(average), 2) if average is not None else None,
        "review_count": summary["count"],
    }


def movie_user_state(*, user, movie_id: int) -> dict | None:
    """The user's own favorite, watchlist, like, dislike and rating of a movie; None if the
    movie is not active (one query: the movie and the user's rows on it, joined).

    Provides the catalog's ``movie_user_state`` hook (InteractionsConfig.ready): the movie
    detail adds it for a logged-in user without the catalog importing this app.
    """
    mine = FilteredRelation(
        "interactions",
        condition=Q(
            interactions__user=user,
            interactions__interaction_type__in=[
                InteractionType.FAVORITE,
                InteractionType.WATCHLIST,
                InteractionType.LIKE,
                InteractionType.DISLIKE,
                InteractionType.RATING,
            ],
        ),
    )
    found = list(
        Movie.objects.filter(pk=movie_id, is_active=True)
        .annotate(mine=mine)
        .values_list("mine__interaction_type", "mine__rating")
    )
    if not found:
        return None
    rows = dict(found)
    return {
        "favorite": InteractionType.FAVORITE in rows,
        "watchlist": InteractionType.WATCHLIST in rows,
        "liked": InteractionType.LIKE in rows,
        "disliked": InteractionType.DISLIKE in rows,
        "rating": rows.get(InteractionType.RATING),
    }


def watchlisted_movie_ids(*, user, movie_ids) -> set[int]:
    """Which of ``movie_ids`` are in the user's watchlist (one query; none for no ids)."""
    movie_ids = list(movie_ids)
    if not movie_ids:
        return set()
    return set(
        Interaction.objects.filter(
            user=user, interaction_type=InteractionType.WATCHLIST, movie_id__in=movie_ids
        ).values_list("movie_id", flat=True)
    )
