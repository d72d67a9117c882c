import datetime
from decimal import Decimal

import factory

from apps.catalog.models import (
    Episode,
    Genre,
    Keyword,
    Movie,
    MovieCast,
    MovieCrew,
    MovieGenre,
    MovieKeyword,
    MovieTag,
    Person,
    ProductionCompany,
    Season,
    TMDbList,
    TMDbListItem,
    TVShow,
    Video,
)


class GenreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Genre

    tmdb_id = factory.Sequence(lambda n: 1000 + n)
    name = factory.Sequence(lambda n: f"Genre {n}")
    slug = factory.Sequence(lambda n: f"genre-{n}")


class MovieFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Movie
        skip_postgeneration_save = True

    tmdb_id = factory.Sequence(lambda n: 500000 + n)
    title = factory.Sequence(lambda n: f"Movie {n}")
    original_title = factory.SelfAttribute("title")
    release_date = datetime.date(2001, 5, 4)
    release_year = factory.LazyAttribute(lambda m: m.release_date.year if m.release_date else None)
    original_language = "en"
    popularity_score = 1.0

    @factory.post_generation
    def genres(self, create, extracted, **kwargs):
        for genre in extracted or []:
            MovieGenre.objects.create(movie=self, genre=genre)


class RatedMovieFactory(MovieFactory):
    """A movie whose aggregates say ``rating_count`` users rated it ``mean`` on average."""

    class Params:
        mean = Decimal("4.0")

    rating_count = 10
    rating_sum = factory.LazyAttribute(lambda m: m.mean * m.rating_count)
    our_rating = factory.LazyAttribute(lambda m: m.mean)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    tmdb_id = factory.Sequence(lambda n: 700000 + n)
    name = factory.Sequence(lambda n: f"Person {n}")
    known_for_department = "Acting"


class CastFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MovieCast

    movie = factory.SubFactory(MovieFactory)
    person = factory.SubFactory(PersonFactory)
    character = "Someone"
    order = factory.Sequence(lambda n: n)


class CrewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MovieCrew

    movie = factory.SubFactory(MovieFactory)
    person = factory.SubFactory(PersonFactory, known_for_department="Directing")
    job = "Director"
    department = "Directing"


class KeywordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Keyword

    tmdb_id = factory.Sequence(lambda n: 900000 + n)
    name = factory.Sequence(lambda n: f"keyword {n}")


class MovieKeywordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MovieKeyword

    movie = factory.SubFactory(MovieFactory)
    keyword = factory.SubFactory(KeywordFactory)


class MovieTagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MovieTag

    movie = factory.SubFactory(MovieFactory)
    tag = factory.Sequence(lambda n: f"tag {n}")


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductionCompany

    tmdb_id = factory.Sequence(lambda n: 800000 + n)
    name = factory.Sequence(lambda n: f"Studio {n}")
    origin_country = "US"


class VideoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Video

    movie = factory.SubFactory(MovieFactory)
    tmdb_id = factory.Sequence(lambda n: f"video{n}")
    name = "Official Trailer"
    site = "YouTube"
    key = factory.Sequence(lambda n: f"yt{n}")
    video_type = "Trailer"
    official = True


class ShowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TVShow

    tmdb_id = factory.Sequence(lambda n: 600000 + n)
    name = factory.Sequence(lambda n: f"Show {n}")
    first_air_date = datetime.date(2010, 1, 1)
    tmdb_rating = Decimal("7.5")
    tmdb_vote_count = 100


class SeasonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Season

    show = factory.SubFactory(ShowFactory)
    season_number = factory.Sequence(lambda n: n + 1)
    name = factory.LazyAttribute(lambda s: f"Season {s.season_number}")


class EpisodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Episode

    season = factory.SubFactory(SeasonFactory)
    episode_number = factory.Sequence(lambda n: n + 1)
    name = factory.LazyAttribute(lambda e: f"Episode {e.episode_number}")


class TMDbListFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TMDbList

    key = "movie_popular"
    synced_at = factory.LazyFunction(lambda: datetime.datetime.now(datetime.UTC))


class TMDbListItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TMDbListItem

    tmdb_list = factory.SubFactory(TMDbListFactory)
    position = factory.Sequence(lambda n: n + 1)
