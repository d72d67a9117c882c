"""Reads of the catalog: querysets shaped for one use each."""

from django.db.models import Prefetch, QuerySet

from apps.catalog.models import Genre, Movie


def movie_summary_queryset() -> QuerySet[Movie]:
    """Active movies with what MovieSummarySerializer reads, in two queries for any page size."""
    return Movie.objects.filter(is_active=True).prefetch_related(
        Prefetch("genres", queryset=Genre.objects.only("id", "name", "slug"))
    )
