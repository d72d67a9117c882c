"""Fixtures of the serving tests: a tiny hand-made world where the right answer is known.

Imported by each serving test module (the project keeps one conftest.py).
"""

from dataclasses import dataclass

import pytest
from django.utils import timezone

from apps.accounts.tests.factories import UserFactory
from apps.catalog.tests.factories import GenreFactory, MovieFactory
from apps.core import tasks as core_tasks
from apps.interactions.models import Interaction
from apps.recommendations.registry import loaded_engines_forget
from apps.recommendations.services import recommender_train

SCIFI_TITLES = ["Alien", "Aliens", "Blade Runner", "The Matrix", "Dune", "Solaris", "Gattaca"]
ROMANCE_TITLES = ["Casablanca", "Notting Hill", "Amelie", "Before Sunrise", "Roman Holiday"]
COMEDY_TITLES = ["Airplane", "Groundhog Day", "Some Like It Hot", "Tootsie"]


@dataclass
class World:
    scifi: list
    romance: list
    comedy: list
    scifi_genre: object
    romance_genre: object
    comedy_genre: object

    @property
    def movies(self) -> list:
        return [*self.scifi, *self.romance, *self.comedy]


@pytest.fixture(autouse=True)
def models_in_tmp(settings, tmp_path):
    """Artifacts go to a fresh directory; no engine survives in memory between tests."""
    settings.VAR_DIR = tmp_path
    loaded_engines_forget()
    yield
    loaded_engines_forget()


def interactions_add(user, movies, interaction_type="like", rating=None, days_ago=30):
    """Interactions written directly (no signal): background history for training."""
    moment = timezone.now() - timezone.timedelta(days=days_ago)
    Interaction.objects.bulk_create(
        Interaction(
            user=user,
            movie=movie,
            interaction_type=interaction_type,
            rating=rating,
            timestamp=moment + timezone.timedelta(minutes=i),
        )
        for i, movie in enumerate(movies)
    )


@pytest.fixture
def world(db) -> World:
    scifi_genre = GenreFactory(name="Science Fiction", slug="science-fiction")
    romance_genre = GenreFactory(name="Romance", slug="romance")
    comedy_genre = GenreFactory(name="Comedy", slug="comedy")
    return World(
        scifi=[MovieFactory(title=t, genres=[scifi_genre]) for t in SCIFI_TITLES],
        romance=[MovieFactory(title=t, genres=[romance_genre]) for t in ROMANCE_TITLES],
        comedy=[MovieFactory(title=t, genres=[comedy_genre]) for t in COMEDY_TITLES],
        scifi_genre=scifi_genre,
        romance_genre=romance_genre,
        comedy_genre=comedy_genre,
    )


@pytest.fixture
def trained_world(world) -> World:
    """Fans of each genre like most of it; comedy is the most popular genre overall; trained."""
    for offset in range(6):
        fan = UserFactory()
        interactions_add(fan, [m for i, m in enumerate(world.scifi) if (i + offset) % 4 != 0])
    for offset in range(6):
        fan = UserFactory()
        interactions_add(fan, [m for i, m in enumerate(world.romance) if (i + offset) % 3 != 0])
    for _ in range(10):
        interactions_add(UserFactory(), world.comedy, days_ago=1)
    recommender_train(refresh=False)
    return world


@pytest.fixture
def enqueued(monkeypatch) -> list:
    """The recommendations tasks sent, as (task name, countdown), recorded instead of run
    (other apps' tasks, such as the counters fold, run as they would)."""
    sent = []
    enqueue = core_tasks.enqueue

    def record(task, *args, countdown=None, **kwargs):
        if not task.name.startswith("recommendations."):
            return enqueue(task, *args, countdown=countdown, **kwargs)
        sent.append((task.name, countdown))
        return True

    monkeypatch.setattr(core_tasks, "enqueue", record)
    return sent
