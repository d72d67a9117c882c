from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.catalog.images import image_base_url, image_url
from apps.catalog.models import (
    Episode,
    EpisodeCast,
    Genre,
    Movie,
    MovieCast,
    MovieCrew,
    Person,
    ProductionCompany,
    Season,
    TVShow,
    Video,
)
from apps.catalog.search import MAX_QUERY_LENGTH
from apps.catalog.selectors import (
    DIRECTOR_JOBS,
    MOVIE_SUMMARY_FIELDS,
    SUMMARY_GENRES,
    WRITER_JOBS,
)
from apps.core.serializers import ModelSerializer


def context_image_url(
    serializer: serializers.Serializer, path: str | None, size: str
) -> str | None:
    """``image_url`` with the base URL read once per response (it lives in the cache), not
    once per image: the root serializer's context, shared by list children, keeps it."""
    if not path:
        return None
    context = serializer.context
    if "image_base_url" not in context:
        context["image_base_url"] = image_base_url()
    return image_url(path, size, base=context["image_base_url"])


def summary_genre_names(target: Movie | TVShow) -> list[str]:
    """The genre names a summary shows: prefetched as a list (selectors
    ``summary_genres_prefetch``), else read through the relation (a query when not prefetched
    at all)."""
    genres = getattr(target, SUMMARY_GENRES, None)
    return [genre.name for genre in (genres if genres is not None else target.genres.all())]


class GenreSerializer(ModelSerializer):
    class Meta:
        model = Genre
        fields = ["id", "name", "slug", "tmdb_id"]


class MovieSummarySerializer(ModelSerializer):
    """The compact movie every list shows. Expects genres prefetched (see selectors)."""

    genres = serializers.SerializerMethodField()
    poster_url = serializers.SerializerMethodField()

    class Meta:
        model = Movie
        # The columns movie_summary_queryset loads, in their order, the poster's path shown as
        # its URL, then the genres: one list for what is read and what is shown.
        fields = [
            *("poster_url" if name == "poster_path" else name for name in MOVIE_SUMMARY_FIELDS),
            "genres",
        ]

    def get_genres(self, movie: Movie) -> list[str]:
        return summary_genre_names(movie)

    def get_poster_url(self, movie: Movie) -> str | None:
        return context_image_url(self, movie.poster_path, "w342")


class CatalogGenreRefSerializer(ModelSerializer):
    class Meta:
        model = Genre
        fields = ["id", "name", "slug"]


class CatalogPersonRefSerializer(ModelSerializer):
    profile_url = serializers.SerializerMethodField()

    class Meta:
        model = Person
        fields = ["id", "tmdb_id", "name", "profile_url", "known_for_department"]

    def get_profile_url(self, person: Person) -> str | None:
        return context_image_url(self, person.profile_path, "w185")


class CatalogCastSerializer(ModelSerializer):
    person = CatalogPersonRefSerializer()

    class Meta:
        model = MovieCast
        fields = ["person", "character", "order"]


class CatalogCrewSerializer(ModelSerializer):
    person = CatalogPersonRefSerializer()

    class Meta:
        model = MovieCrew
        fields = ["person", "job", "department"]


class CatalogCompanySerializer(ModelSerializer):
    logo_url = serializers.SerializerMethodField()

    class Meta:
        model = ProductionCompany
        fields = ["id", "tmdb_id", "name", "origin_country", "logo_url"]

    def get_logo_url(self, company: ProductionCompany) -> str | None:
        return context_image_url(self, company.logo_path, "w185")


class CatalogVideoSerializer(ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Video
        fields = ["name", "site", "key", "video_type", "official", "url"]

    def get_url(self, video: Video) -> str | None:
        if video.site == "YouTube":
            return f"https://www.youtube.com/watch?v={video.key}"
        if video.site == "Vimeo":
            return f"https://vimeo.com/{video.key}"
        return None


class CatalogMovieAggregatesSerializer(ModelSerializer):
    class Meta:
        model = Movie
        fields = [
            "tmdb_rating",
            "tmdb_vote_count",
            "imdb_rating",
            "our_rating",
            "rating_count",
            "like_count",
            "dislike_count",
            "view_count",
            "popularity_score",
        ]


class CatalogUserStateSerializer(serializers.Serializer):
    """What the logged-in user did with the movie (null for anonymous clients)."""

    favorite = serializers.BooleanField()
    watchlist = serializers.BooleanField()
    liked = serializers.BooleanField()
    disliked = serializers.BooleanField()
    rating = serializers.DecimalField(max_digits=2, decimal_places=1, allow_null=True)


class CatalogMovieDetailSerializer(ModelSerializer):
    """A movie page. Expects the lists selectors.movie_detail_get puts on the movie."""

    genres = CatalogGenreRefSerializer(many=True, source="genre_list")
    poster_url = serializers.SerializerMethodField()
    backdrop_url = serializers.SerializerMethodField()
    cast = serializers.SerializerMethodField()
    directors = serializers.SerializerMethodField()
    writers = serializers.SerializerMethodField()
    production_companies = CatalogCompanySerializer(many=True, source="company_list")
    trailer = serializers.SerializerMethodField()
    aggregates = serializers.SerializerMethodField()
    user_state = serializers.SerializerMethodField()

    class Meta:
        model = Movie
        fields = [
            "id",
            "tmdb_id",
            "imdb_id",
            "movielens_id",
            "title",
            "original_title",
            "overview",
            "tagline",
            "release_date",
            "release_year",
            "runtime",
            "status",
            "original_language",
            "homepage",
            "budget",
            "revenue",
            "adult",
            "is_original",
            "poster_url",
            "backdrop_url",
            "genres",
            "cast",
            "directors",
            "writers",
            "production_companies",
            "trailer",
            "aggregates",
            "user_state",
        ]

    def get_poster_url(self, movie: Movie) -> str | None:
        return context_image_url(self, movie.poster_path, "w500")

    def get_backdrop_url(self, movie: Movie) -> str | None:
        return context_image_url(self, movie.backdrop_path, "w1280")

    @extend_schema_field(CatalogCastSerializer(many=True))
    def get_cast(self, movie: Movie) -> list[dict]:
        return CatalogCastSerializer(movie.top_cast, many=True, context=self.context).data

    def _people(self, movie: Movie, jobs: tuple[str, ...]) -> list[dict]:
        seen, people = set(), []
        for credit in movie.key_crew:
            if credit.job in jobs and credit.person_id not in seen:
                seen.add(credit.person_id)
                people.append(credit.person)
        return CatalogPersonRefSerializer(people, many=True, context=self.context).data

    @extend_schema_field(CatalogPersonRefSerializer(many=True))
    def get_directors(self, movie: Movie) -> list[dict]:
        return self._people(movie, DIRECTOR_JOBS)

    @extend_schema_field(CatalogPersonRefSerializer(many=True))
    def get_writers(self, movie: Movie) -> list[dict]:
        return self._people(movie, WRITER_JOBS)

    @extend_schema_field(CatalogVideoSerializer(allow_null=True))
    def get_trailer(self, movie: Movie) -> dict | None:
        return CatalogVideoSerializer(movie.trailers[0]).data if movie.trailers else None

    @extend_schema_field(CatalogMovieAggregatesSerializer)
    def get_aggregates(self, movie: Movie) -> dict:
        return CatalogMovieAggregatesSerializer(movie, context=self.context).data

    @extend_schema_field(CatalogUserStateSerializer(allow_null=True))
    def get_user_state(self, movie: Movie) -> dict | None:
        state = self.context.get("user_state")
        return CatalogUserStateSerializer(state).data if state is not None else None


class CatalogCreditsSerializer(serializers.Serializer):
    cast = CatalogCastSerializer(many=True)
    crew = CatalogCrewSerializer(many=True)


class CatalogPersonSummarySerializer(CatalogPersonRefSerializer):
    class Meta(CatalogPersonRefSerializer.Meta):
        fields = [*CatalogPersonRefSerializer.Meta.fields, "popularity"]


class CatalogPersonDetailSerializer(CatalogPersonRefSerializer):
    known_for = MovieSummarySerializer(many=True)
    images = serializers.SerializerMethodField()

    def get_images(self, person: Person) -> list[str]:
        return [context_image_url(self, path, "w342") for path in person.profile_images or []]

    class Meta(CatalogPersonRefSerializer.Meta):
        fields = [
            *CatalogPersonRefSerializer.Meta.fields,
            "imdb_id",
            "biography",
            "birthday",
            "deathday",
            "place_of_birth",
            "gender",
            "popularity",
            "images",
            "known_for",
        ]


class CatalogShowSummarySerializer(ModelSerializer):
    genres = serializers.SerializerMethodField()
    poster_url = serializers.SerializerMethodField()

    class Meta:
        model = TVShow
        fields = [
            "id",
            "tmdb_id",
            "name",
            "first_air_date",
            "poster_url",
            "tmdb_rating",
            "tmdb_vote_count",
            "popularity_score",
            "number_of_seasons",
            "is_original",
            "genres",
        ]

    def get_genres(self, show: TVShow) -> list[str]:
        return summary_genre_names(show)

    def get_poster_url(self, show: TVShow) -> str | None:
        return context_image_url(self, show.poster_path, "w342")


class CatalogSeasonSummarySerializer(ModelSerializer):
    poster_url = serializers.SerializerMethodField()

    class Meta:
        model = Season
        fields = [
            "id",
            "tmdb_id",
            "season_number",
            "name",
            "air_date",
            "episode_count",
            "tmdb_rating",
            "poster_url",
        ]

    def get_poster_url(self, season: Season) -> str | None:
        return context_image_url(self, season.poster_path, "w342")


class CatalogShowDetailSerializer(CatalogShowSummarySerializer):
    seasons = CatalogSeasonSummarySerializer(many=True)
    backdrop_url = serializers.SerializerMethodField()

    class Meta(CatalogShowSummarySerializer.Meta):
        fields = [
            *CatalogShowSummarySerializer.Meta.fields,
            "original_name",
            "overview",
            "tagline",
            "last_air_date",
            "status",
            "in_production",
            "number_of_episodes",
            "original_language",
            "backdrop_url",
            "seasons",
        ]

    def get_backdrop_url(self, show: TVShow) -> str | None:
        return context_image_url(self, show.backdrop_path, "w1280")


class CatalogGuestStarSerializer(ModelSerializer):
    person = CatalogPersonRefSerializer()

    class Meta:
        model = EpisodeCast
        fields = ["person", "character", "order"]


class CatalogEpisodeSerializer(ModelSerializer):
    still_url = serializers.SerializerMethodField()
    guest_stars = CatalogGuestStarSerializer(many=True, source="cast")

    class Meta:
        model = Episode
        fields = [
            "id",
            "tmdb_id",
            "episode_number",
            "name",
            "overview",
            "air_date",
            "runtime",
            "tmdb_rating",
            "tmdb_vote_count",
            "still_url",
            "guest_stars",
        ]

    def get_still_url(self, episode: Episode) -> str | None:
        return context_image_url(self, episode.still_path, "w300")


class CatalogSeasonDetailSerializer(CatalogSeasonSummarySerializer):
    show_id = serializers.IntegerField()
    episodes = CatalogEpisodeSerializer(many=True)

    class Meta(CatalogSeasonSummarySerializer.Meta):
        fields = [*CatalogSeasonSummarySerializer.Meta.fields, "show_id", "overview", "episodes"]


class CatalogSearchQuerySerializer(serializers.Serializer):
    q = serializers.CharField(max_length=MAX_QUERY_LENGTH, trim_whitespace=True)
    type = serializers.ChoiceField(choices=["movie", "show", "person"], default="movie")

    def validate_q(self, value: str) -> str:
        if any(ord(char) < 32 or ord(char) == 127 for char in value):
            raise serializers.ValidationError("The query must not contain control characters.")
        return value
