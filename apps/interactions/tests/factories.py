import factory

from apps.accounts.tests.factories import UserFactory
from apps.catalog.tests.factories import (  # noqa: F401 - one set of catalog factories
    EpisodeFactory,
    GenreFactory,
    MovieFactory,
    SeasonFactory,
    ShowFactory,
)
from apps.interactions.models import (
    EpisodeReview,
    Interaction,
    InteractionType,
    UserList,
    UserListItem,
)


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
