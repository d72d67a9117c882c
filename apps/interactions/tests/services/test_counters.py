"""apps/interactions/services/counters.py: notes appended by writes, folded into counters."""

import threading
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from apps.catalog.cache import movie_namespace
from apps.catalog.models import Movie
from apps.core import tasks as core_tasks
from apps.core.cache import namespace_version
from apps.core.testing import postgres_only
from apps.interactions.models import Interaction, MovieCounterChange
from apps.interactions.services import aggregates, counters
from apps.interactions.services.aggregates import movie_aggregates_recompute
from apps.interactions.services.counters import FOLD_DELAY, counters_fold, counters_fold_schedule
from apps.interactions.services.movie_interactions import (
    dislike_add,
    like_add,
    rating_set,
    view_record,
)
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


def test_each_note_holds_the_change_its_write_made(user, other_user):
    movie = MovieFactory()
    dislike_add(user=user, movie_id=movie.pk)
    like_add(user=user, movie_id=movie.pk)  # replaces the dislike
    rating_set(user=other_user, movie_id=movie.pk, value=Decimal("3.0"))
    rating_set(user=other_user, movie_id=movie.pk, value=Decimal("4.5"))
    view_record(user=other_user, movie_id=movie.pk)

    notes = list(
        MovieCounterChange.objects.order_by("id").values_list(
            "recount", "like_count", "dislike_count", "view_count", "rating_count", "rating_sum"
        )
    )
    assert notes == [
        (False, 0, 1, 0, 0, 0),
        (False, 0, -1, 0, 0, 0),
        (False, 1, 0, 0, 0, 0),
        (False, 0, 0, 0, 1, Decimal("3.0")),
        (False, 0, 0, 0, 0, Decimal("1.5")),
        (False, 0, 0, 1, 0, 0),
    ]
    assert counters_fold() == [movie.pk]
    movie.refresh_from_db()
    assert (movie.like_count, movie.dislike_count, movie.view_count) == (1, 0, 1)
    assert (movie.rating_count, movie.rating_sum, movie.our_rating) == (
        1,
        Decimal("4.5"),
        Decimal("4.5"),
    )


def test_the_fold_adds_the_noted_changes_without_counting_the_rows(user):
    movie = MovieFactory()
    Movie.objects.filter(pk=movie.pk).update(like_count=7)  # drifted behind the rows' back
    like_add(user=user, movie_id=movie.pk)

    with CaptureQueriesContext(connection) as queries:
        assert counters_fold() == [movie.pk]

    movie.refresh_from_db()
    assert movie.like_count == 8  # 7 + 1: the rows (one like) were not counted
    assert not any(Interaction._meta.db_table in query["sql"] for query in queries.captured_queries)
    assert counters_fold() == []  # each note is added once


def test_a_note_that_asks_for_a_recount_counts_the_movie_from_its_rows(user, other_user):
    movie = MovieFactory()
    like_add(user=user, movie_id=movie.pk)
    like_add(user=other_user, movie_id=movie.pk)
    Movie.objects.filter(pk=movie.pk).update(like_count=7)
    # A note that names no change (a writer from before the counted columns): a recount.
    MovieCounterChange.objects.create(movie_id=movie.pk)

    assert counters_fold() == [movie.pk]

    movie.refresh_from_db()
    assert movie.like_count == 2  # from the rows; the two notes of changes were dropped
    assert MovieCounterChange.objects.count() == 0


def test_a_recount_drops_the_notes_of_the_rows_it_counted(user):
    movie = MovieFactory()
    like_add(user=user, movie_id=movie.pk)  # noted, not folded

    assert movie_aggregates_recompute(movie_ids=[movie.pk]) == [movie.pk]
    assert counters_fold() == []  # the like is counted once, by the recount

    movie.refresh_from_db()
    assert movie.like_count == 1
    assert MovieCounterChange.objects.count() == 0


def test_a_fold_over_more_movies_than_a_batch_takes_every_note(user, other_user):
    movies = [MovieFactory() for _ in range(5)]
    for movie in movies:
        like_add(user=user, movie_id=movie.pk)
        like_add(user=other_user, movie_id=movie.pk)

    assert sorted(counters_fold(batch=2)) == sorted(movie.pk for movie in movies)

    assert MovieCounterChange.objects.count() == 0
    assert set(
        Movie.objects.filter(pk__in=[m.pk for m in movies]).values_list("like_count", flat=True)
    ) == {2}


def test_a_fold_takes_a_bounded_number_of_notes_per_transaction_and_goes_on(
    user, other_user, monkeypatch
):
    movie = MovieFactory()
    for person in (user, other_user):
        like_add(user=person, movie_id=movie.pk)
        rating_set(user=person, movie_id=movie.pk, value=Decimal("2.0"))
    view_record(user=user, movie_id=movie.pk)
    monkeypatch.setattr(aggregates, "NOTES_PER_FOLD", 2)
    written = []
    write = aggregates._movies_write

    def counted_write(movies):
        written.append([movie.pk for movie in movies])
        write(movies)

    monkeypatch.setattr(aggregates, "_movies_write", counted_write)

    assert counters_fold(batch=2) == [movie.pk]

    assert written == [[movie.pk]] * 3  # five notes, two at a time
    movie.refresh_from_db()
    assert (movie.like_count, movie.view_count, movie.rating_count) == (2, 1, 2)
    assert movie.our_rating == Decimal("2.0")
    assert MovieCounterChange.objects.count() == 0


def test_the_notes_of_a_deleted_movie_fold_into_nothing_and_hold_up_no_fold(user, monkeypatch):
    gone, kept = MovieFactory(), MovieFactory()
    like_add(user=user, movie_id=gone.pk)
    view_record(user=user, movie_id=gone.pk)
    like_add(user=user, movie_id=kept.pk)
    gone.delete()
    rounds = []
    fold = counters.movie_counters_fold

    def counted_fold(*, movie_ids):
        rounds.append(list(movie_ids))
        assert len(rounds) <= 5, "the fold goes round the same notes"
        return fold(movie_ids=movie_ids)

    monkeypatch.setattr(counters, "movie_counters_fold", counted_fold)

    assert counters_fold(batch=1) == [kept.pk]

    assert MovieCounterChange.objects.count() == 0
    kept.refresh_from_db()
    assert kept.like_count == 1


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
    monkeypatch.setattr(
        core_tasks, "cache_add_or_get", lambda *args: asked.append(args) or (True, None)
    )
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
    monkeypatch.setattr(
        core_tasks, "cache_add_or_get", lambda *args: asked.append(args) or (True, None)
    )
    monkeypatch.setattr(core_tasks, "enqueue", lambda task, countdown=None: True)

    counters_fold_schedule()
    counters_fold_schedule()  # within the fold's delay: relies on the fold just sent
    assert len(asked) == 1
    counters.FOLD.forget()
    counters_fold_schedule()
    assert len(asked) == 2
