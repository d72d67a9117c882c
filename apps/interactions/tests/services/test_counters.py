"""apps/interactions/services/counters.py: notes appended by writes, folded into counters."""

import threading

import pytest
from django.db import connection, transaction

from apps.catalog.cache import movie_namespace
from apps.catalog.models import Movie
from apps.core import tasks as core_tasks
from apps.core.cache import namespace_version
from apps.core.testing import postgres_only
from apps.interactions.models import MovieCounterChange
from apps.interactions.services import counters
from apps.interactions.services.counters import FOLD_DELAY, counters_fold, counters_fold_schedule
from apps.interactions.services.movie_interactions import like_add, rating_set
from apps.interactions.tests.factories import MovieFactory

pytestmark = pytest.mark.django_db


def test_a_counted_write_notes_the_change_and_the_fold_sets_the_counters_from_the_rows(
    user, other_user, django_capture_on_commit_callbacks
):
    movie = MovieFactory()
    like_add(user=user, movie_id=movie.pk)
    rating_set(user=other_user, movie_id=movie.pk, value=4)
    movie.refresh_from_db()
    assert (movie.like_count, movie.rating_count) == (0, 0)  # not folded yet
    assert MovieCounterChange.objects.filter(movie_id=movie.pk).count() == 2
    before = namespace_version(movie_namespace(movie.pk))

    with django_capture_on_commit_callbacks(execute=True):
        assert counters_fold() == [movie.pk]

    movie.refresh_from_db()
    assert (movie.like_count, movie.rating_count, movie.our_rating) == (1, 1, 4)
    assert MovieCounterChange.objects.count() == 0
    assert namespace_version(movie_namespace(movie.pk)) > before


def test_folding_recomputes_so_a_note_folded_again_changes_nothing(user):
    movie = MovieFactory()
    like_add(user=user, movie_id=movie.pk)
    Movie.objects.filter(pk=movie.pk).update(like_count=7)  # drifted behind the rows' back

    assert counters_fold() == [movie.pk]
    MovieCounterChange.objects.create(movie_id=movie.pk)
    assert counters_fold() == []

    movie.refresh_from_db()
    assert movie.like_count == 1


def test_the_changes_of_one_window_schedule_one_fold(monkeypatch):
    sent = []
    monkeypatch.setattr(core_tasks, "enqueue", lambda task, **options: sent.append(options) or True)

    counters_fold_schedule()
    counters_fold_schedule()
    assert sent == [{"countdown": FOLD_DELAY}]

    counters_fold()  # a fold starting lets the next change schedule another
    counters_fold_schedule()
    assert len(sent) == 2


def test_without_a_broker_the_fold_runs_once_the_write_commits(
    user, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(core_tasks, "enqueue", lambda task, **options: False)
    movie = MovieFactory()

    with django_capture_on_commit_callbacks(execute=True):
        like_add(user=user, movie_id=movie.pk)

    movie.refresh_from_db()
    assert movie.like_count == 1
    assert MovieCounterChange.objects.count() == 0


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_like_does_not_wait_for_a_lock_held_on_the_movie_row(user):
    movie = MovieFactory()
    locked, release = threading.Event(), threading.Event()

    def hold_the_movie_row():
        try:
            with transaction.atomic():
                Movie.objects.select_for_update(no_key=True).get(pk=movie.pk)
                locked.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_the_movie_row)
    holder.start()
    try:
        assert locked.wait(timeout=30)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")
        outcome = like_add(user=user, movie_id=movie.pk)  # a lock wait would time out here
        assert outcome.created
    finally:
        release.set()
        holder.join(timeout=30)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = 0")


def test_a_process_asks_redis_again_only_once_the_fold_it_scheduled_may_have_begun(
    monkeypatch,
):
    """With a broker, the fold a process scheduled starts FOLD_DELAY later at the earliest and
    folds every note committed before it: the process's writes meanwhile skip the Redis mark."""
    from apps.interactions.tasks import counters_fold_task

    monkeypatch.setitem(counters_fold_task.app.conf, "task_always_eager", False)
    asked, sent = [], []
    monkeypatch.setattr(core_tasks, "cache_add", lambda *args: asked.append(args) or True)
    monkeypatch.setattr(
        core_tasks, "enqueue", lambda task, countdown=None: sent.append(countdown) or True
    )
    clock = [1000.0]
    monkeypatch.setattr(core_tasks.time, "monotonic", lambda: clock[0])

    for _ in range(3):
        counters_fold_schedule()
    clock[0] += FOLD_DELAY - counters.FOLD.margin - 0.01
    counters_fold_schedule()
    assert (len(asked), sent) == (1, [FOLD_DELAY])

    clock[0] += 0.02  # the fold may begin soon: ask again
    counters_fold_schedule()
    assert (len(asked), sent) == (2, [FOLD_DELAY, FOLD_DELAY])


def test_forgetting_the_scheduled_fold_makes_the_next_change_ask_again(monkeypatch):
    from apps.interactions.tasks import counters_fold_task

    monkeypatch.setitem(counters_fold_task.app.conf, "task_always_eager", False)
    asked = []
    monkeypatch.setattr(core_tasks, "cache_add", lambda *args: asked.append(args) or True)
    monkeypatch.setattr(core_tasks, "enqueue", lambda task, countdown=None: True)

    counters_fold_schedule()
    counters_fold_schedule()  # within the fold's delay: relies on the fold just sent
    assert len(asked) == 1
    counters.FOLD.forget()
    counters_fold_schedule()
    assert len(asked) == 2
