"""Stored lists stay bounded: 50 rows a list, the default list only from training, other lists
when asked for, and nothing kept for users who have not been seen for a long time."""

from django.urls import reverse
from django.utils import timezone

from apps.accounts.tests.factories import UserFactory
from apps.interactions.models import Interaction
from apps.recommendations.models import RecommendationState, UserRecommendation
from apps.recommendations.services import KEEP_DAYS, recommendations_refresh_all
from apps.recommendations.tests import fixtures
from apps.recommendations.tests.fixtures import interactions_add
from conftest import client_for

models_in_tmp = fixtures.models_in_tmp
world = fixtures.world
trained_world = fixtures.trained_world

URL = reverse("me-recommendations")


def _listed(user) -> set[str]:
    return set(
        UserRecommendation.objects.filter(user=user, rank__isnull=False).values_list(
            "algorithm", flat=True
        )
    )


def test_training_keeps_the_default_list_only_and_another_is_stored_when_asked_for(
    trained_world,
):
    user = UserFactory()
    interactions_add(user, trained_world.scifi[:2], days_ago=1)
    recommendations_refresh_all()
    assert _listed(user) == {"hybrid"}

    items = client_for(user).get(URL, {"engine": "content", "limit": 5}).json()["data"]

    assert len(items) == 5 and {item["engine"] for item in items} == {"content"}
    assert _listed(user) == {"hybrid", "content"}
    recommendations_refresh_all()
    assert _listed(user) == {"hybrid"}


def test_a_list_never_holds_more_than_fifty_rows_and_limit_stops_at_fifty(trained_world):
    user = UserFactory()
    interactions_add(user, trained_world.scifi[:1], days_ago=1)
    client = client_for(user)

    assert client.get(URL, {"limit": 50}).status_code == 200
    assert client.get(URL, {"limit": 51}).status_code == 400
    counts = UserRecommendation.objects.filter(user=user, rank__isnull=False)
    assert 0 < counts.count() <= 50


def test_lists_of_users_not_seen_for_long_are_dropped_and_made_again_on_their_return(
    trained_world,
):
    gone, active = UserFactory(), UserFactory()
    interactions_add(gone, trained_world.romance[:2], days_ago=KEEP_DAYS + 10)
    interactions_add(active, trained_world.romance[:2], days_ago=2)
    recommendations_refresh_all()
    assert _listed(active) == {"hybrid"}
    assert _listed(gone) == set()  # never stored: not active, not seen

    # The active user reads, then is not seen again for longer than KEEP_DAYS.
    client_for(active).get(URL)
    long_ago = timezone.now() - timezone.timedelta(days=KEEP_DAYS + 1)
    RecommendationState.objects.filter(user=active).update(seen_at=long_ago)
    UserRecommendation.objects.filter(user=active).update(clicked=False)
    Interaction.objects.filter(user=active).update(timestamp=long_ago)
    clicked = UserRecommendation.objects.filter(user=active).order_by("rank").first()
    UserRecommendation.objects.filter(pk=clicked.pk).update(clicked=True, clicked_at=long_ago)

    recommendations_refresh_all()

    assert _listed(active) == set()
    clicked.refresh_from_db()
    assert clicked.clicked and clicked.rank is None  # history of clicks is kept, unranked
    # On return the list is computed again at once.
    items = client_for(active).get(URL, {"limit": 3}).json()["data"]
    assert len(items) == 3 and _listed(active) == {"hybrid"}
    assert RecommendationState.objects.get(user=active).seen_at > long_ago
