"""apps/interactions/services/effects.py, called directly."""

import pytest

from apps.analytics.models import UserActivityLog
from apps.analytics.recording import activity_flush
from apps.catalog.cache import movie_namespace
from apps.core.cache import namespace_version
from apps.interactions.services.effects import (
    activity_name,
    interaction_effects_on_commit,
    movie_details_invalidate_on_commit,
)
from apps.interactions.signals import interaction_changed
from apps.interactions.tests.factories import MovieFactory

pytestmark = pytest.mark.django_db(databases="__all__")


@pytest.fixture
def received():
    calls = []

    def receiver(sender, **kwargs):
        calls.append({key: kwargs[key] for key in ("user_id", "movie_id", "action")})

    interaction_changed.connect(receiver, dispatch_uid="test_effects")
    yield calls
    interaction_changed.disconnect(dispatch_uid="test_effects")


def test_activity_name_uses_the_seeds_names_where_it_has_them():
    assert activity_name("rating", "updated") == "rating_submit"
    assert activity_name("view", "added") == "movie_view"
    assert activity_name("like", "removed") == "like_remove"


def test_the_signal_goes_in_the_transaction_the_other_effects_after_commit(
    user, received, django_capture_on_commit_callbacks
):
    movie = MovieFactory()
    before = namespace_version(movie_namespace(movie.pk))

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        interaction_effects_on_commit(
            user_id=user.pk,
            movie_id=movie.pk,
            interaction_type="like",
            action="added",
            aggregates_changed=True,
        )
    # Receivers write in the write's transaction (signals.py); nothing else ran yet.
    assert received == [{"user_id": user.pk, "movie_id": movie.pk, "action": "added"}]
    activity_flush()
    assert UserActivityLog.objects.count() == 0
    assert namespace_version(movie_namespace(movie.pk)) == before
    for callback in callbacks:
        callback()

    assert len(received) == 1
    activity_flush()  # analytics writes recorded events in batches
    assert UserActivityLog.objects.get().action_type == "like_add"
    assert namespace_version(movie_namespace(movie.pk)) > before


def test_a_change_that_moves_no_aggregate_keeps_the_cached_detail(
    user, django_capture_on_commit_callbacks
):
    movie = MovieFactory()
    before = namespace_version(movie_namespace(movie.pk))

    with django_capture_on_commit_callbacks(execute=True):
        interaction_effects_on_commit(
            user_id=user.pk,
            movie_id=movie.pk,
            interaction_type="favorite",
            action="added",
            aggregates_changed=False,
        )

    assert namespace_version(movie_namespace(movie.pk)) == before


def test_movie_details_invalidate_on_commit_drops_each_named_detail(
    django_capture_on_commit_callbacks,
):
    before = [namespace_version(movie_namespace(movie_id)) for movie_id in (1, 2, 3)]

    with django_capture_on_commit_callbacks(execute=True):
        movie_details_invalidate_on_commit(iter([1, 2]))

    after = [namespace_version(movie_namespace(movie_id)) for movie_id in (1, 2, 3)]
    assert [a > b for a, b in zip(after, before, strict=True)] == [True, True, False]
