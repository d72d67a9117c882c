"""Query filters of the movie and show lists. Bad values are a 400 naming the parameter."""

import hashlib

import django_filters
from django import forms
from django.core.validators import RegexValidator
from django.db.models import Exists, F, OuterRef, QuerySet

from apps.catalog.models import Movie, MovieGenre, ShowGenre
from apps.catalog.models.movies import MovieStatus
from apps.catalog.rankings import movie_popularity_order, movie_rating_order
from apps.catalog.ratings import movie_rating_out_of_ten
from apps.catalog.search import MAX_QUERY_LENGTH, movie_popularity_boost, text_search
from apps.core.filters import FilterSet
from apps.core.schema import filter_documented

# Public ordering names to database orderings; "-name" is the same, descending. Nulls go last
# both ways, and the id breaks ties so pages never overlap. A callable gives the whole order
# itself (popularity is defined once, in apps.catalog.rankings, for movies/popular/ too; a
# movie's rating is the one rating_min filters on).
MOVIE_ORDERINGS = {
    "popularity": movie_popularity_order,
    "rating": movie_rating_order,
    "release_date": "release_date",
    "title": "title",
    "our_rating": "our_rating",
}
SHOW_ORDERINGS = {
    "popularity": "popularity_score",
    "rating": "tmdb_rating",
    "first_air_date": "first_air_date",
    "name": "name",
}
BOOLEAN_CHOICES = [("true", "true"), ("false", "false")]
# ISO 639-1, as TMDb gives original_language: two lowercase letters.
LANGUAGE_PATTERN = "^([a-z]{2})?$"  # empty: the filter is off


def language_filter() -> django_filters.CharFilter:
    return filter_documented(
        django_filters.CharFilter(
            field_name="original_language",
            max_length=2,
            validators=[RegexValidator(LANGUAGE_PATTERN, "Use an ISO 639-1 code such as en.")],
            help_text="ISO 639-1 code of the original language, e.g. en.",
        ),
        pattern=LANGUAGE_PATTERN,
    )


def genre_filter() -> django_filters.CharFilter:
    return filter_documented(
        django_filters.CharFilter(
            method="filter_genre", max_length=50, help_text="Genre id or slug."
        )
    )


def ordering_choices(orderings: dict) -> list[tuple[str, str]]:
    names = [name for base in orderings for name in (base, f"-{base}")]
    return [(name, name) for name in names]


def ordering_apply(queryset: QuerySet, value: str, orderings: dict) -> QuerySet:
    descending = value.startswith("-")
    column = orderings[value.removeprefix("-")]
    if callable(column):
        return queryset.order_by(*column(descending=descending))
    expression = F(column).desc(nulls_last=True) if descending else F(column).asc(nulls_last=True)
    return queryset.order_by(expression, "-id" if descending else "id")


def ordering_filter(orderings: dict, default: str) -> django_filters.ChoiceFilter:
    allowed = ", ".join(name for name, _label in ordering_choices(orderings))
    return django_filters.ChoiceFilter(
        choices=ordering_choices(orderings),
        method="filter_ordering",
        help_text=f"One of: {allowed}. Default: {default} (relevance first when q is given).",
        error_messages={
            "invalid_choice": f"'%(value)s' is not an allowed ordering; use one of: {allowed}."
        },
    )


class IntegerFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


def genre_exists(link_model, owner_field: str, value: str):
    """``Exists`` over the genre junction, by genre id (digits) or slug."""
    by_id = value.isascii() and value.isdigit() and len(value) <= 18
    genre = {"genre_id": int(value)} if by_id else {"genre__slug": value}
    return Exists(link_model.objects.filter(**{owner_field: OuterRef("pk")}, **genre))


class MovieFilter(FilterSet):
    genre = genre_filter()
    year_min = filter_documented(
        IntegerFilter(field_name="release_year", lookup_expr="gte", min_value=1800, max_value=2200)
    )
    year_max = filter_documented(
        IntegerFilter(field_name="release_year", lookup_expr="lte", min_value=1800, max_value=2200)
    )
    # Any decimal within the bounds (no cap on decimal places: a bound of 7.125 filters as such).
    rating_min = filter_documented(
        django_filters.NumberFilter(
            method="filter_rating_min",
            min_value=0,
            max_value=10,
            help_text=(
                "Minimum rating, 0 to 10: TMDb's vote average, or for a movie without TMDb votes"
                " (MovieLens imports) our users' mean rating (0.5 to 5) doubled."
            ),
        )
    )
    our_rating_min = filter_documented(
        django_filters.NumberFilter(
            field_name="our_rating",
            lookup_expr="gte",
            min_value=0,
            max_value=5,
            help_text="Minimum rating by our users (0.5 to 5).",
        )
    )
    language = language_filter()
    status = django_filters.ChoiceFilter(choices=MovieStatus.choices)
    # Only the words true and false: not 1, 0, yes or on.
    is_original = filter_documented(
        django_filters.ChoiceFilter(choices=BOOLEAN_CHOICES, method="filter_is_original"),
        type="boolean",
    )
    q = filter_documented(
        django_filters.CharFilter(
            method="filter_q",
            max_length=MAX_QUERY_LENGTH,
            help_text="Title search, forgives typos.",
        )
    )
    ordering = ordering_filter(MOVIE_ORDERINGS, "-popularity")

    def filter_genre(self, queryset, name, value):
        return queryset.filter(genre_exists(MovieGenre, "movie", value))

    def filter_is_original(self, queryset, name, value):
        return queryset.filter(is_original=value == "true")

    def filter_rating_min(self, queryset, name, value):
        return queryset.alias(rating_out_of_ten=movie_rating_out_of_ten()).filter(
            rating_out_of_ten__gte=value
        )

    def filter_q(self, queryset, name, value):
        return text_search(
            queryset,
            field="title",
            q=value,
            tiebreak=["-popularity_score", "id"],
            boost=movie_popularity_boost(),
        )

    def filter_ordering(self, queryset, name, value):
        return ordering_apply(queryset, value, MOVIE_ORDERINGS)

    def filter_queryset(self, queryset):
        data = self.form.cleaned_data
        if not data.get("q") and not data.get("ordering"):
            queryset = ordering_apply(queryset, "-popularity", MOVIE_ORDERINGS)
        return super().filter_queryset(queryset)


def movie_filter_key(params) -> str | None:
    """A digest of the validated filters of a movie list, the same for any spelling of the same
    filters (their order, unknown parameters, empty values); None when they are invalid (the
    filter backend answers the 400) or ask for a text search (``q``)."""
    form = MovieFilter.bound_form(params, queryset=Movie.objects.none())
    if not form.is_valid() or form.cleaned_data.get("q"):
        return None
    chosen = sorted(
        (name, str(value)) for name, value in form.cleaned_data.items() if value not in (None, "")
    )
    return hashlib.sha256(repr(chosen).encode()).hexdigest()[:32]


class ShowFilter(FilterSet):
    genre = genre_filter()
    language = language_filter()
    q = filter_documented(
        django_filters.CharFilter(
            method="filter_q", max_length=MAX_QUERY_LENGTH, help_text="Name search, forgives typos."
        )
    )
    ordering = ordering_filter(SHOW_ORDERINGS, "-popularity")

    def filter_genre(self, queryset, name, value):
        return queryset.filter(genre_exists(ShowGenre, "show", value))

    def filter_q(self, queryset, name, value):
        return text_search(queryset, field="name", q=value, tiebreak=["-popularity_score", "id"])

    def filter_ordering(self, queryset, name, value):
        return ordering_apply(queryset, value, SHOW_ORDERINGS)

    def filter_queryset(self, queryset):
        data = self.form.cleaned_data
        if not data.get("q") and not data.get("ordering"):
            queryset = ordering_apply(queryset, "-popularity", SHOW_ORDERINGS)
        return super().filter_queryset(queryset)
