import factory

from apps.accounts.tests.factories import UserFactory
from apps.catalog.models import Episode, Genre, Movie, MovieGenre, Season, TVShow
from apps.interactions.models import (
    EpisodeReview,
    Interaction,
    InteractionType,
    UserList,
    UserListItem,
)


class GenreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Genre

    tmdb_id = factory.Sequence(lambda n: 91000 + n)
    name = factory.Sequence(lambda n: f"Interactions genre {n}")
    slug = factory.Sequence(lambda n: f"interactions-genre-{n}")


class MovieFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Movie
        skip_postgeneration_save = True

    tmdb_id = factory.Sequence(lambda n: 9100000 + n)
    title = factory.Sequence(lambda n: f"Film {n}")
    original_language = "en"

    @factory.post_generation
    def genres(self, create, extracted, **kwargs):
        for genre in extracted or []:
            MovieGenre.objects.create(movie=self, genre=genre)


class ShowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TVShow

    tmdb_id = factory.Sequence(lambda n: 9200000 + n)
    name = factory.Sequence(lambda n: f"Show {n}")


class SeasonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Season

    show = factory.SubFactory(ShowFactory)
    season_number = 1


class EpisodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Episode

    season = factory.SubFactory(SeasonFactory)
    episode_number = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"Episode {n}")


class InteractionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Interaction

    user = factory.SubFactory(UserFactory)
    movie = factory.SubFactory(MovieFactory)
    interaction_type = InteractionType.FAVORITE


class UserListFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UserList

    user = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"List {n}")


class UserListItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UserListItem

    user_list = factory.SubFactory(UserListFactory)
    movie = factory.SubFactory(MovieFactory)
    position = factory.Sequence(lambda n: n + 1)


class EpisodeReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EpisodeReview

    episode = factory.SubFactory(EpisodeFactory)
    user = factory.SubFactory(UserFactory)
    rating = 7
    review = "Good episode."
