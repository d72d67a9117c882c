"""The admin for editors: correct titles, mark originals, hide movies, fix credits.

Every changelist reads its rows in a fixed number of queries (list_select_related or a
prefetch in get_queryset), credit inlines pick people through autocomplete instead of a
select of every person, and each save drops the cached answers it changed.
"""

from django.contrib import admin
from django.db import models, transaction
from django.db.models import Count, Prefetch

from apps.catalog.cache import genres_invalidate
from apps.catalog.models import (
    Episode,
    Genre,
    Movie,
    MovieCast,
    MovieCrew,
    MovieGenre,
    MovieProductionCompany,
    Person,
    Season,
    ShowGenre,
    TVShow,
    Video,
)
from apps.catalog.services import catalog_changed, movies_flag_set


class MovieGenreInline(admin.TabularInline):
    model = MovieGenre
    extra = 0
    autocomplete_fields = ["genre"]


class MovieCastInline(admin.TabularInline):
    model = MovieCast
    extra = 0
    autocomplete_fields = ["person"]
    fields = ["person", "character", "order"]
    ordering = ["order"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("person")


class MovieCrewInline(admin.TabularInline):
    model = MovieCrew
    extra = 0
    autocomplete_fields = ["person"]
    fields = ["person", "job", "department"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("person")


class MovieCompanyInline(admin.TabularInline):
    model = MovieProductionCompany
    extra = 0
    raw_id_fields = ["production_company"]


class VideoInline(admin.TabularInline):
    model = Video
    extra = 0
    fields = ["name", "site", "key", "video_type", "official", "published_at"]


@admin.register(Movie)
class MovieAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "release_year",
        "genre_names",
        "original_language",
        "status",
        "tmdb_rating",
        "our_rating",
        "rating_count",
        "is_original",
        "is_active",
    ]
    list_display_links = ["title"]
    list_editable = ["is_original"]
    list_filter = ["is_original", "is_active", "status", "genres"]
    search_fields = ["title", "original_title", "=imdb_id", "=tmdb_id", "=movielens_id"]
    list_per_page = 50
    show_full_result_count = False
    readonly_fields = [
        "rating_count",
        "rating_sum",
        "our_rating",
        "like_count",
        "dislike_count",
        "view_count",
        "created_at",
        "updated_at",
        "tmdb_synced_at",
    ]
    inlines = [MovieGenreInline, MovieCastInline, MovieCrewInline, MovieCompanyInline, VideoInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    actions = ["mark_original", "unmark_original", "deactivate", "activate"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("genres", queryset=Genre.objects.only("id", "name")))
        )

    @admin.display(description="genres")
    def genre_names(self, movie: Movie) -> str:
        return ", ".join(genre.name for genre in movie.genres.all())

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        catalog_changed(movie_ids=[obj.pk])

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        catalog_changed(movie_ids=[form.instance.pk])

    def delete_model(self, request, obj):
        catalog_changed(movie_ids=[obj.pk])
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        catalog_changed(movie_ids=list(queryset.values_list("pk", flat=True)))
        super().delete_queryset(request, queryset)

    def _flag(self, request, queryset, field: str, value: bool, verb: str) -> None:
        count = movies_flag_set(
            movie_ids=queryset.values_list("pk", flat=True), field=field, value=value
        )
        self.message_user(request, f"{count} movie(s) {verb}.")

    @admin.action(description="Mark as Movie Nexus original")
    def mark_original(self, request, queryset):
        self._flag(request, queryset, "is_original", True, "marked original")

    @admin.action(description="Unmark as original")
    def unmark_original(self, request, queryset):
        self._flag(request, queryset, "is_original", False, "no longer original")

    @admin.action(description="Hide (soft delete)")
    def deactivate(self, request, queryset):
        self._flag(request, queryset, "is_active", False, "hidden")

    @admin.action(description="Show again")
    def activate(self, request, queryset):
        self._flag(request, queryset, "is_active", True, "shown")


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "known_for_department", "popularity", "birthday", "tmdb_id"]
    list_filter = ["known_for_department", "gender"]
    search_fields = ["name", "=tmdb_id", "=imdb_id"]
    list_per_page = 50
    show_full_result_count = False
    readonly_fields = ["created_at", "updated_at", "tmdb_synced_at"]


@admin.register(Genre)
class GenreAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "tmdb_id", "movie_count"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(movie_total=Count("movie_links"))

    @admin.display(description="movies", ordering="movie_total")
    def movie_count(self, genre: Genre) -> int:
        return genre.movie_total

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        transaction.on_commit(genres_invalidate)
        catalog_changed()


class ShowGenreInline(admin.TabularInline):
    model = ShowGenre
    extra = 0
    autocomplete_fields = ["genre"]


class SeasonInline(admin.TabularInline):
    model = Season
    extra = 0
    fields = ["season_number", "name", "air_date", "episode_count"]
    show_change_link = True


@admin.register(TVShow)
class TVShowAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "first_air_date",
        "status",
        "number_of_seasons",
        "tmdb_rating",
        "is_original",
        "is_active",
    ]
    list_editable = ["is_original"]
    list_filter = ["is_original", "is_active", "in_production", "genres"]
    search_fields = ["name", "original_name", "=tmdb_id"]
    list_per_page = 50
    show_full_result_count = False
    inlines = [ShowGenreInline, SeasonInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        catalog_changed()


class EpisodeInline(admin.TabularInline):
    model = Episode
    extra = 0
    fields = ["episode_number", "name", "air_date", "runtime", "tmdb_rating"]
    show_change_link = True


@admin.register(Season)
class SeasonAdmin(admin.ModelAdmin):
    list_display = ["__str__", "show", "season_number", "name", "air_date", "episode_count"]
    list_select_related = ["show"]
    search_fields = ["name", "show__name"]
    list_filter = ["air_date"]
    raw_id_fields = ["show"]
    list_per_page = 50
    show_full_result_count = False
    inlines = [EpisodeInline]


@admin.register(Episode)
class EpisodeAdmin(admin.ModelAdmin):
    list_display = ["name", "show_name", "season_number", "episode_number", "air_date"]
    list_select_related = ["season__show"]
    search_fields = ["name", "season__show__name"]
    list_filter = ["air_date"]
    raw_id_fields = ["season"]
    list_per_page = 50
    show_full_result_count = False

    @admin.display(description="show", ordering="season__show__name")
    def show_name(self, episode: Episode) -> str:
        return episode.season.show.name

    @admin.display(description="season", ordering="season__season_number")
    def season_number(self, episode: Episode) -> int:
        return episode.season.season_number
