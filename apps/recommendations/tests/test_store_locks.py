"""The store lock on PostgreSQL (apps.recommendations.storing): an interaction change never
waits for a store of the user's lists in progress, and a dismissal does, so the store cannot
rank a movie the user just dismissed."""

import threading
from unittest.mock import patch

import pytest
from django.db import connection, transaction

from apps.accounts.tests.factories import UserFactory
from apps.catalog.tests.factories import MovieFactory
from apps.core.testing import postgres_only
from apps.recommendations import receivers, services, storing
from apps.recommendations.models import (
    DismissedMovie,
    RecommendationState,
    UserRecommendation,
)
from apps.recommendations.reasons import Scored
from apps.recommendations.services import (
    recommendation_feedback_give,
    recommendations_mark_stale,
)

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def no_drains(monkeypatch):
    """The refreshes the changes here make due are not run (in eager mode a drain would run
    at each commit and store lists of its own)."""
    monkeypatch.setattr(services, "recommendations_refresh_drain_schedule", lambda **kwargs: None)


WAIT = 30  # seconds: far longer than any step here takes, so a timeout means a hang


class StoreHeld:
    """A store of ``user``'s lists of ``movies`` running in a thread of its own, held inside
    its transaction (after its lock and reads; after its rows too with ``rows_written``) until
    the block ends."""

    def __init__(self, user, movies, *, rows_written=False):
        self.inside, self.released, self.done = threading.Event(), threading.Event(), None
        self.errors: list[BaseException] = []
        lists = {
            "hybrid": [Scored(movie.id, 0.9 - index / 10, "") for index, movie in enumerate(movies)]
        }
        seen = RecommendationState.objects.get(user=user).change_count
        upsert = storing._rows_upsert

        def held_upsert(rows, *, generated_at):
            held = threading.current_thread() is self.thread
            if rows_written:
                upsert(rows, generated_at=generated_at)
            if held:
                self.inside.set()
                assert self.released.wait(WAIT)
            if not rows_written:
                upsert(rows, generated_at=generated_at)

        def store():
            try:
                with patch.object(storing, "_rows_upsert", held_upsert):
                    storing.recommendations_store(user_id=user.id, lists=lists, seen_count=seen)
            except BaseException as exc:  # noqa: BLE001 - asserted by the test
                self.errors.append(exc)
            finally:
                connection.close()

        self.thread = threading.Thread(target=store)

    def __enter__(self):
        self.thread.start()
        assert self.inside.wait(WAIT)
        return self

    def __exit__(self, *exc_info):
        self.released.set()
        self.thread.join(WAIT)
        assert not self.thread.is_alive()
        assert self.errors == []


def _user_with_state():
    user = UserFactory()
    RecommendationState.objects.create(user=user)
    return user


def test_an_interaction_change_does_not_wait_for_a_store_in_progress():
    user = _user_with_state()
    movies = [MovieFactory() for _ in range(3)]

    with StoreHeld(user, movies), transaction.atomic():
        with connection.cursor() as cursor:
            # Waiting for the store would fail here instead of hanging the test.
            cursor.execute("SET LOCAL lock_timeout = '2s'")
        recommendations_mark_stale(user_id=user.id)

    state = RecommendationState.objects.get(user=user)
    assert state.change_count == 1
    assert state.refreshed_count == 0  # the store's lists were computed before the change
    assert state.is_stale
    ranked = UserRecommendation.objects.filter(user=user, rank__isnull=False)
    assert ranked.count() == 3


def test_a_dismissal_during_a_store_waits_for_it_and_unranks_what_it_stored():
    user = _user_with_state()
    movies = [MovieFactory() for _ in range(3)]
    storing.recommendations_store(
        user_id=user.id,
        lists={"hybrid": [Scored(movies[0].id, 0.5, "")]},
        seen_count=0,
    )
    dismissed = UserRecommendation.objects.get(user=user, movie=movies[0])
    finished = threading.Event()
    errors: list[BaseException] = []

    def dismiss():
        try:
            recommendation_feedback_give(recommendation=dismissed, feedback_type="already_seen")
            finished.set()
        except BaseException as exc:  # noqa: BLE001 - asserted below
            errors.append(exc)
        finally:
            connection.close()

    with StoreHeld(user, movies):
        thread = threading.Thread(target=dismiss)
        thread.start()
        assert not finished.wait(1)  # waits for the store's lock
    thread.join(WAIT)

    assert errors == []
    assert finished.is_set()
    assert DismissedMovie.objects.filter(user=user, movie=movies[0]).exists()
    ranked = UserRecommendation.objects.filter(user=user, rank__isnull=False)
    assert sorted(ranked.values_list("movie_id", flat=True)) == [movies[1].id, movies[2].id]
    assert RecommendationState.objects.get(user=user).is_stale


def test_a_like_of_a_movie_in_a_list_being_stored_waits_for_the_store_without_a_deadlock():
    user = _user_with_state()
    movies = [MovieFactory() for _ in range(3)]
    storing.recommendations_store(
        user_id=user.id,
        lists={"hybrid": [Scored(movie.id, 0.5, "") for movie in movies]},
        seen_count=0,
    )
    errors: list[BaseException] = []

    def like():
        # What a like's transaction sends with its commit (receivers): the liked movie hidden
        # from the lists, the state bumped. The hide waits for the row the store wrote.
        try:
            with transaction.atomic():
                receivers._change_count_bump(
                    user.id, movie_id=movies[0].id, interaction_type="like", action="added"
                )
        except BaseException as exc:  # noqa: BLE001 - asserted below
            errors.append(exc)
        finally:
            connection.close()

    with StoreHeld(user, movies, rows_written=True):
        thread = threading.Thread(target=like)
        thread.start()
        thread.join(1)
        assert thread.is_alive()  # waiting for the store's row
    thread.join(WAIT)

    assert errors == []
    state = RecommendationState.objects.get(user=user)
    assert state.change_count == 1 and state.is_stale
    ranked = UserRecommendation.objects.filter(user=user, rank__isnull=False)
    assert sorted(ranked.values_list("movie_id", flat=True)) == [movies[1].id, movies[2].id]
