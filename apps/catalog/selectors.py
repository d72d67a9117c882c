"""Reads of the catalog: querysets shaped for one use each."""

from django.db.models import Count, Prefetch, Q, QuerySet

from apps.catalog.models import (
    Episode,
    EpisodeCast,
    Genre,
    Movie,
    MovieCast,
    MovieCrew,
    MovieGenre,
    MovieKeyword,
    MovieTag,
    Person,
    ProductionCompany,
    Season,
    TVShow,
    Video,
)
from apps.core.exceptions import NotFound

TOP_BILLED_CAST = 10
KNOWN_FOR_LIMIT = 10
SIMILAR_LIMIT = 100
# Crew jobs the detail page shows: the people who made the film, not the whole crew.
DIRECTOR_JOBS = ("Director",)
WRITER_JOBS = ("Writer", "Screenplay", "Story", "Novel", "Author", "Characters")
# A shared person or keyword says more about likeness than a shared (broad) genre.
SIMILARITY_WEIGHTS = {"genre": 1.0, "tag": 2.0, "keyword": 2.0, "person": 3.0}


# Where a summary's genres are prefetched: a plain list on each movie or show.
SUMMARY_GENRES = "summary_genres"


def summary_genres_prefetch(lookup: str = "genres") -> Prefetch:
    """The genres a movie or show summary shows (``lookup``: the path to them), prefetched as a
    plain list in ``SUMMARY_GENRES`` on each movie or show, which the summary serializers read.

    Why a list: a prefetch into the related manager makes a manager and a queryset for every
    object, which was about a quarter of the CPU of reading and rendering a page of summaries
    (20 movies: 5.7 to 5.9 ms, 4.4 to 4.5 ms with the list, at seed 002's volumes; issue 16).
    ``movie.genres.all()`` on such an object is a query again: read ``SUMMARY_GENRES``."""
    return Prefetch(
        lookup, queryset=Genre.objects.only("id", "name", "slug"), to_attr=SUMMARY_GENRES
    )


# The columns MovieSummarySerializer reads, in the order it shows them (it takes its fields
# from here); a movie row has 35, the others are left unread.
MOVIE_SUMMARY_FIELDS = (
    "id",
    "tmdb_id",
    "imdb_id",
    "title",
    "release_date",
    "release_year",
    "poster_path",
    "tmdb_rating",
    "our_rating",
    "rating_count",
    "popularity_score",
    "is_original",
)


def movie_summary_queryset() -> QuerySet[Movie]:
    """Active movies with what MovieSummarySerializer reads (its columns only), in two queries
    for any page size."""
    return (
        Movie.objects.filter(is_active=True)
        .only(*MOVIE_SUMMARY_FIELDS)
        .prefetch_related(summary_genres_prefetch())
    )


class KnownTotal:
    """A list's rows whose total is already known (kept in the cache): the pagination asks
    ``count()`` and then slices, so the matches are not counted again for each page."""

    def __init__(self, rows: QuerySet, total: int) -> None:
        self.rows = rows
        self.total = total

    def count(self) -> int:
        return self.total

    def __getitem__(self, window):
        return self.rows[window]


def genre_list() -> QuerySet[Genre]:
    return Genre.objects.order_by("name")


def movie_detail_get(*, movie_id: int) -> Movie:
    """One active movie with its genres, top-billed cast, directors and writers, production
    companies and trailers, as lists on the movie (``genre_list``, ``top_cast``,
    ``key_crew``, ``company_list``, ``trailers``): six queries. Inactive or unknown: NotFound.

    One movie's rows are read with plain queries (a LIMIT for the top-billed cast) rather
    than ``prefetch_related``: a sliced prefetch is written for many movies at once, as a
    window function over every movie's cast, and compiling it and the prefetch machinery
    were a large part of the CPU of a movie page made on a cache miss (docs/catalog.md).
    """
    found = list(Movie.objects.filter(pk=movie_id, is_active=True)[:1])
    if not found:
        raise NotFound("Movie not found.", code="movie_not_found")
    movie = found[0]
    movie.genre_list = list(Genre.objects.filter(movies=movie_id).order_by("name"))
    movie.top_cast = list(
        MovieCast.objects.filter(movie_id=movie_id)
        .select_related("person")
        .order_by("order", "id")[:TOP_BILLED_CAST]
    )
    movie.key_crew = list(
        MovieCrew.objects.filter(movie_id=movie_id, job__in=DIRECTOR_JOBS + WRITER_JOBS)
        .select_related("person")
        .order_by("job", "id")
    )
    movie.trailers = list(
        Video.objects.filter(movie_id=movie_id, video_type__in=("Trailer", "Teaser")).order_by(
            "video_type", "-official", "-published_at", "id"
        )
    )
    movie.company_list = list(ProductionCompany.objects.filter(movies=movie_id).order_by("name"))
    return movie


def movie_active_id(*, movie_id: int) -> int:
    """``movie_id`` if that movie exists and is active, else NotFound (one query)."""
    if not Movie.objects.filter(pk=movie_id, is_active=True).exists():
        raise NotFound("Movie not found.", code="movie_not_found")
    return movie_id


def movie_id_by_tmdb_id(*, tmdb_id: int) -> int | None:
    """Our id of the movie TMDb calls ``tmdb_id``; None if unknown; NotFound if inactive."""
    row = Movie.objects.filter(tmdb_id=tmdb_id).values_list("pk", "is_active").first()
    if row is None:
        return None
    movie_id, is_active = row
    if not is_active:
        raise NotFound("Movie not found.", code="movie_not_found")
    return movie_id


def movie_credits(*, movie_id: int) -> dict:
    """The full cast (billing order) and crew of an active movie, in three queries."""
    movie_active_id(movie_id=movie_id)
    cast = list(
        MovieCast.objects.filter(movie_id=movie_id).select_related("person").order_by("order", "id")
    )
    crew = list(
        MovieCrew.objects.filter(movie_id=movie_id)
        .select_related("person")
        .order_by("department", "job", "id")
    )
    return {"cast": cast, "crew": crew}


def movie_similar_ids(*, movie_id: int, limit: int = SIMILAR_LIMIT) -> list[int]:
    """Ids of the movies most like ``movie_id`` by shared genres, tags, keywords and people,
    best first (weights in SIMILARITY_WEIGHTS), among active movies. Five grouped queries."""
    same_people = Q(
        person_id__in=MovieCast.objects.filter(movie_id=movie_id).values("person_id")
    ) | Q(person_id__in=MovieCrew.objects.filter(movie_id=movie_id).values("person_id"))
    scores: dict[int, float] = {}
    sources = [
        (
            "genre",
            MovieGenre.objects.filter(
                genre_id__in=MovieGenre.objects.filter(movie_id=movie_id).values("genre_id")
            ),
        ),
        (
            "keyword",
            MovieKeyword.objects.filter(
                keyword_id__in=MovieKeyword.objects.filter(movie_id=movie_id).values("keyword_id")
            ),
        ),
        (
            "tag",
            MovieTag.objects.filter(
                tag__in=MovieTag.objects.filter(movie_id=movie_id).values("tag")
            ),
        ),
        ("person", MovieCast.objects.filter(same_people)),
        ("person", MovieCrew.objects.filter(same_people)),
    ]
    for kind, links in sources:
        rows = (
            links.exclude(movie_id=movie_id)
            .filter(movie__is_active=True)
            .values("movie_id")
            .annotate(shared=Count("movie_id"))
            .values_list("movie_id", "shared")
        )
        for other_id, shared in rows:
            scores[other_id] = scores.get(other_id, 0.0) + SIMILARITY_WEIGHTS[kind] * shared
    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    return [other_id for other_id, _score in ranked[:limit]]


def movies_in_order(*, ids: list[int]) -> list[Movie]:
    """Active movies with these ids, in the order given (two queries with genres)."""
    by_id = {movie.pk: movie for movie in movie_summary_queryset().filter(pk__in=ids)}
    return [by_id[movie_id] for movie_id in ids if movie_id in by_id]


def person_list_popular() -> QuerySet[Person]:
    return Person.objects.order_by("-popularity", "id")


def person_detail_get(*, person_id: int) -> Person:
    """A person with ``known_for``: their most popular active movies, cast or crew (3 queries)."""
    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        raise NotFound("Person not found.", code="person_not_found")
    credited = Q(pk__in=MovieCast.objects.filter(person_id=person_id).values("movie_id")) | Q(
        pk__in=MovieCrew.objects.filter(person_id=person_id).values("movie_id")
    )
    person.known_for = list(
        movie_summary_queryset()
        .filter(credited)
        .order_by("-popularity_score", "-rating_count", "id")[:KNOWN_FOR_LIMIT]
    )
    return person


def show_summary_queryset() -> QuerySet[TVShow]:
    return TVShow.objects.filter(is_active=True).prefetch_related(summary_genres_prefetch())


def show_detail_get(*, show_id: int) -> TVShow:
    """An active show with its genres and seasons (three queries)."""
    show = (
        show_summary_queryset()
        .filter(pk=show_id)
        .prefetch_related(Prefetch("seasons", queryset=Season.objects.order_by("season_number")))
        .first()
    )
    if show is None:
        raise NotFound("Show not found.", code="show_not_found")
    return show


def season_detail_get(*, show_id: int, season_number: int) -> Season:
    """One season of an active show with its episodes in order and their guest stars (three
    queries)."""
    season = (
        Season.objects.filter(show_id=show_id, show__is_active=True, season_number=season_number)
        .select_related("show")
        .prefetch_related(
            Prefetch("episodes", queryset=Episode.objects.order_by("episode_number")),
            Prefetch(
                "episodes__cast",
                queryset=EpisodeCast.objects.select_related("person").order_by("order", "id"),
            ),
        )
        .first()
    )
    if season is None:
        raise NotFound("Season not found.", code="season_not_found")
    return season
