"""Query filters of the per-user movie lists: search, genre, ordering from an allow-list."""

import django_filters
from django.db.models import Q

from apps.core.filters import FilterSet
from apps.interactions.models import Interaction, InteractionType

ORDERING_FIELDS = (
    ("timestamp", "timestamp"),
    ("movie__title", "title"),
    ("rating", "rating"),
    ("movie__release_date", "release_date"),
    ("movie__popularity_score", "popularity_score"),
    ("movie__our_rating", "our_rating"),
)


class StableOrderingFilter(django_filters.OrderingFilter):
    """The allow-listed ordering, then the id, so that pages never overlap on ties."""

    def filter(self, qs, value):
        ordered = super().filter(qs, value)
        if value:
            ordered = ordered.order_by(*ordered.query.order_by, "-id")
        return ordered


class InteractionMovieFilter(FilterSet):
    """``q`` searches titles (and favorite notes), ``genre`` is a genre id or slug."""

    q = django_filters.CharFilter(method="filter_q", max_length=200, label="Search text")
    genre = django_filters.CharFilter(
        method="filter_genre", max_length=50, label="Genre id or slug"
    )
    ordering = StableOrderingFilter(fields=ORDERING_FIELDS)

    class Meta:
        model = Interaction
        fields = ["q", "genre"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        matches = Q(movie__title__icontains=value) | Q(movie__original_title__icontains=value)
        if getattr(self, "search_notes", False):
            matches |= Q(notes__icontains=value)
        return queryset.filter(matches)

    def filter_genre(self, queryset, name, value):
        value = value.strip()
        if value.isascii() and value.isdigit():
            if len(value) > 18:  # beyond a database integer: no such genre
                return queryset.none()
            return queryset.filter(movie__genres__id=int(value))
        return queryset.filter(movie__genres__slug=value)


class FavoriteFilter(InteractionMovieFilter):
    """Favorites also match ``q`` against the user's own notes."""

    search_notes = True


class HistoryFilter(InteractionMovieFilter):
    type = django_filters.ChoiceFilter(
        field_name="interaction_type", choices=InteractionType.choices, label="Interaction type"
    )

    class Meta(InteractionMovieFilter.Meta):
        fields = ["q", "genre", "type"]
