"""apps/interactions/services/episode_reviews.py, called directly."""

import pytest

from apps.core.exceptions import NotFound
from apps.interactions.models import EpisodeReview
from apps.interactions.services.episode_reviews import episode_review_submit
from apps.interactions.tests.factories import EpisodeFactory, SeasonFactory, ShowFactory

pytestmark = pytest.mark.django_db


def test_episode_review_submit_creates_then_updates_the_one_review_and_keeps_moderation(user):
    episode = EpisodeFactory()

    review, created = episode_review_submit(user=user, episode_id=episode.pk, rating=8, review="A")
    EpisodeReview.objects.filter(pk=review.pk).update(active=False)
    again, created_again = episode_review_submit(user=user, episode_id=episode.pk, rating=3)

    assert (created, created_again, again.pk) == (True, False, review.pk)
    again.refresh_from_db()
    assert (again.rating, again.review, again.active) == (3, "", False)


def test_episode_review_submit_for_a_hidden_show_writes_nothing(user):
    hidden = EpisodeFactory(season=SeasonFactory(show=ShowFactory(is_active=False)))

    with pytest.raises(NotFound):
        episode_review_submit(user=user, episode_id=hidden.pk, rating=8)

    assert not EpisodeReview.objects.exists()
