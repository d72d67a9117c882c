"""Recomputing movie aggregates from the interaction rows.

The write services keep the aggregates in step incrementally; this puts them back in step
when rows changed behind their back: a user deleted (their rows cascade away), a bulk import,
an editor's repair. Movies are locked in id order, the one order every multi-movie writer here
uses, so two recomputations cannot deadlock each other, and a single-movie write waits its turn.
"""

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Count, Q, Sum

from apps.catalog.models import Movie
from apps.interactions.models import Interaction, InteractionType

BATCH = 500
AGGREGATE_FIELDS = [
    "like_count",
    "dislike_count",
    "view_count",
    "rating_count",
    "rating_sum",
    "our_rating",
]


def _mean(total: Decimal, count: int) -> Decimal | None:
    if not count:
        return None
    return (Decimal(total) / count).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _recompute_batch(movie_ids: list[int]) -> int:
    movies = list(
        Movie.objects.select_for_update(no_key=True).filter(pk__in=movie_ids).order_by("pk")
    )
    totals = {
        row["movie_id"]: row
        for row in Interaction.objects.filter(movie_id__in=movie_ids)
        .values("movie_id")
        .annotate(
            likes=Count("id", filter=Q(interaction_type=InteractionType.LIKE)),
            dislikes=Count("id", filter=Q(interaction_type=InteractionType.DISLIKE)),
            views=Sum("count", filter=Q(interaction_type=InteractionType.VIEW)),
            ratings=Count("id", filter=Q(interaction_type=InteractionType.RATING)),
            rating_total=Sum("rating", filter=Q(interaction_type=InteractionType.RATING)),
        )
    }
    for movie in movies:
        row = totals.get(movie.pk, {})
        movie.like_count = row.get("likes") or 0
        movie.dislike_count = row.get("dislikes") or 0
        movie.view_count = row.get("views") or 0
        movie.rating_count = row.get("ratings") or 0
        movie.rating_sum = row.get("rating_total") or Decimal(0)
        movie.our_rating = _mean(movie.rating_sum, movie.rating_count)
    Movie.objects.bulk_update(movies, AGGREGATE_FIELDS)
    return len(movies)


@transaction.atomic
def movie_aggregates_recompute(*, movie_ids: Iterable[int]) -> int:
    """Set the movies' likes, dislikes, views and rating aggregates from their rows."""
    ordered = sorted(set(movie_ids))
    done = 0
    for start in range(0, len(ordered), BATCH):
        done += _recompute_batch(ordered[start : start + BATCH])
    return done
