"""Many writers at once on PostgreSQL: aggregates equal what the rows say, no duplicate rows.

Each test starts its threads together on a barrier, so the writes really overlap; each thread
has its own database connection (Django's connections are per thread) and closes it at the end.
"""

import threading
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import connection
from django.db.models import Count, Sum

from apps.accounts.tests.factories import UserFactory
from apps.catalog.models import Movie
from apps.core.testing import postgres_only
from apps.interactions import services
from apps.interactions.models import EpisodeReview, Interaction, InteractionType, UserListItem
from apps.interactions.services.aggregates import movie_aggregates_recompute
from apps.interactions.tests.factories import EpisodeFactory, MovieFactory, UserListFactory
from conftest import client_for

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True)]

THREADS = 12


def run_concurrently(tasks: list) -> list:
    """Run the callables in ``tasks`` in parallel threads; return their results in order."""
    barrier = threading.Barrier(len(tasks))
    results = [None] * len(tasks)
    errors = []

    def work(index, task):
        try:
            barrier.wait(timeout=30)
            results[index] = task()
        except Exception as exc:  # noqa: BLE001 - reported below with the others
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=item) for item in enumerate(tasks)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a writer hung (deadlock?)"
    assert errors == []
    return results


def assert_aggregates_match_rows(movie_id: int) -> Movie:
    movie = Movie.objects.get(pk=movie_id)
    rows = Interaction.objects.filter(movie_id=movie_id)
    ratings = rows.filter(interaction_type=InteractionType.RATING).aggregate(
        count=Count("id"), total=Sum("rating")
    )
    assert movie.like_count == rows.filter(interaction_type=InteractionType.LIKE).count()
    assert movie.dislike_count == rows.filter(interaction_type=InteractionType.DISLIKE).count()
    assert movie.view_count == (
        rows.filter(interaction_type=InteractionType.VIEW).aggregate(total=Sum("count"))["total"]
        or 0
    )
    assert movie.rating_count == ratings["count"]
    assert movie.rating_sum == (ratings["total"] or Decimal(0))
    expected_mean = (
        (ratings["total"] / ratings["count"]).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        if ratings["count"]
        else None
    )
    assert movie.our_rating == expected_mean
    duplicates = rows.values("user_id", "interaction_type").annotate(n=Count("id")).filter(n__gt=1)
    assert list(duplicates) == []
    return movie


def test_many_users_liking_one_movie_at_once_count_each_like_once():
    movie = MovieFactory()
    users = [UserFactory() for _ in range(THREADS)]

    run_concurrently(
        [lambda user=user: services.like_add(user=user, movie_id=movie.pk) for user in users]
    )

    movie = assert_aggregates_match_rows(movie.pk)
    assert movie.like_count == THREADS


def test_one_user_toggling_like_and_dislike_at_once_leaves_counts_equal_to_rows():
    movie = MovieFactory()
    user = UserFactory()
    operations = [
        lambda: services.like_add(user=user, movie_id=movie.pk),
        lambda: services.dislike_add(user=user, movie_id=movie.pk),
        lambda: services.membership_remove(
            user=user, movie_id=movie.pk, interaction_type=InteractionType.LIKE
        ),
    ]

    run_concurrently([operations[index % 3] for index in range(THREADS * 2)])

    movie = assert_aggregates_match_rows(movie.pk)
    kinds = set(
        Interaction.objects.filter(user=user, movie=movie).values_list(
            "interaction_type", flat=True
        )
    )
    assert kinds <= {InteractionType.LIKE} or kinds <= {InteractionType.DISLIKE}
    assert movie.like_count + movie.dislike_count <= 1


def test_users_liking_and_unliking_one_movie_at_once_all_succeed_and_counts_settle():
    """Each user's like and unlike race (both succeed, in some order); the counters, folded
    after the commits (services.counters), equal the rows once settled."""
    movie = MovieFactory()
    users = [UserFactory() for _ in range(THREADS // 2)]
    operations = []
    for user in users:
        operations.append(lambda user=user: services.like_add(user=user, movie_id=movie.pk))
        operations.append(
            lambda user=user: services.membership_remove(
                user=user, movie_id=movie.pk, interaction_type=InteractionType.LIKE
            )
        )

    outcomes = run_concurrently(operations)

    assert all(outcome is not None for outcome in outcomes)
    services.counters_fold()  # settle: folds whatever a concurrent fold left (nothing, usually)
    movie = assert_aggregates_match_rows(movie.pk)
    assert movie.like_count == Interaction.objects.filter(movie=movie).count()


def test_writes_racing_folds_and_recounts_of_their_movie_count_each_change_once():
    """Likes, unlikes and changed ratings while folds add the notes and recounts count the
    rows again (services.aggregates): whichever runs first, every change is in the counters
    once, never twice and never lost, once the notes are folded."""
    movie = MovieFactory()
    users = [UserFactory() for _ in range(THREADS // 2)]
    for user in users[::2]:
        services.like_add(user=user, movie_id=movie.pk)  # noted, not folded

    def operations(round_: int) -> list:
        found = []
        for index, user in enumerate(users):
            if (index + round_) % 2:
                found.append(lambda user=user: services.like_add(user=user, movie_id=movie.pk))
            else:
                found.append(
                    lambda user=user: services.membership_remove(
                        user=user, movie_id=movie.pk, interaction_type=InteractionType.LIKE
                    )
                )
            rating = Decimal((index + round_) % 10 + 1) / 2
            found.append(
                lambda user=user, rating=rating: services.rating_set(
                    user=user, movie_id=movie.pk, value=rating
                )
            )
        for _ in range(THREADS // 4):
            found.append(services.counters_fold)
            found.append(lambda: movie_aggregates_recompute(movie_ids=[movie.pk]))
        return found

    for round_ in range(3):  # each round changes every user's like and rating
        run_concurrently(operations(round_))
        services.counters_fold()  # settle: the notes of writes after the last fold or recount
        movie = assert_aggregates_match_rows(movie.pk)
        assert movie.like_count == len(users) // 2


def test_one_user_favoriting_one_movie_many_times_at_once_keeps_one_row():
    movie = MovieFactory()
    user = UserFactory()
    clients = [client_for(user) for _ in range(THREADS)]

    responses = run_concurrently(
        [
            lambda client=client: client.post(
                f"/api/v1/movies/{movie.pk}/favorite/", {"notes": "same"}, format="json"
            )
            for client in clients
        ]
    )

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200] * (THREADS - 1) + [201]
    assert (
        Interaction.objects.filter(
            user=user, movie=movie, interaction_type=InteractionType.FAVORITE
        ).count()
        == 1
    )
    assert_aggregates_match_rows(movie.pk)


def test_many_users_rating_and_changing_ratings_at_once_keep_the_average_exact():
    movie = MovieFactory()
    users = [UserFactory() for _ in range(THREADS)]
    values = [Decimal(step) / 2 for step in range(1, 11)]
    tasks = []
    for index, user in enumerate(users):
        tasks.append(
            lambda user=user, index=index: services.rating_set(
                user=user, movie_id=movie.pk, value=values[index % 10]
            )
        )
        tasks.append(
            lambda user=user, index=index: services.rating_set(
                user=user, movie_id=movie.pk, value=values[(index + 3) % 10]
            )
        )
    tasks += [
        lambda user=user: services.rating_remove(user=user, movie_id=movie.pk) for user in users[:3]
    ]

    run_concurrently(tasks)

    assert_aggregates_match_rows(movie.pk)


def test_one_user_viewing_many_times_at_once_counts_one_view():
    movie = MovieFactory()
    user = UserFactory()

    run_concurrently(
        [lambda: services.view_record(user=user, movie_id=movie.pk) for _ in range(THREADS)]
    )

    movie = assert_aggregates_match_rows(movie.pk)
    assert movie.view_count == 1


def test_mixed_writes_on_two_movies_at_once_do_not_deadlock():
    first, second = MovieFactory(), MovieFactory()
    users = [UserFactory() for _ in range(THREADS // 2)]
    tasks = []
    for user in users:
        for movie in (first, second):
            tasks.append(
                lambda user=user, movie=movie: services.like_add(user=user, movie_id=movie.pk)
            )
            tasks.append(
                lambda user=user, movie=movie: services.rating_set(
                    user=user, movie_id=movie.pk, value=Decimal("3.5")
                )
            )
            tasks.append(
                lambda user=user, movie=movie: services.view_record(user=user, movie_id=movie.pk)
            )

    run_concurrently(tasks)

    for movie in (first, second):
        checked = assert_aggregates_match_rows(movie.pk)
        assert (checked.like_count, checked.rating_count, checked.view_count) == (
            len(users),
            len(users),
            len(users),
        )


def test_adding_many_movies_to_one_list_at_once_keeps_positions_without_gaps():
    user = UserFactory()
    user_list = UserListFactory(user=user)
    movies = [MovieFactory() for _ in range(THREADS)]
    tasks = [
        lambda movie=movie: services.user_list_item_add(
            user_list=user_list, movie_id=movie.pk, position=1
        )
        for movie in movies
    ]
    tasks += [
        lambda movie=movie: services.user_list_item_add(user_list=user_list, movie_id=movie.pk)
        for movie in movies[:4]
    ]

    run_concurrently(tasks)

    items = UserListItem.objects.filter(user_list=user_list)
    assert sorted(items.values_list("position", flat=True)) == list(range(1, THREADS + 1))
    assert items.values("movie_id").distinct().count() == THREADS


def test_one_user_submitting_the_same_episode_review_at_once_keeps_one_review():
    user = UserFactory()
    episode = EpisodeFactory()

    results = run_concurrently(
        [
            lambda rating=rating: services.episode_review_submit(
                user=user, episode_id=episode.pk, rating=rating
            )
            for rating in [index % 10 + 1 for index in range(THREADS)]
        ]
    )

    assert EpisodeReview.objects.filter(user=user, episode=episode).count() == 1
    assert sum(1 for _, created in results if created) == 1


def test_creating_the_same_list_many_times_at_once_keeps_one_list():
    user = UserFactory()

    results = run_concurrently(
        [lambda: services.user_list_create(user=user, name="Weekend") for _ in range(THREADS)]
    )

    assert len({user_list.pk for user_list, _ in results}) == 1
    assert sum(1 for _, created in results if created) == 1


def test_a_write_waiting_for_the_users_lock_reads_the_rows_committed_meanwhile():
    """The write's user lock and its read of the user's rows go to PostgreSQL as one query
    (services.movie_interactions ``_write_begin``). The read must still see what the write
    holding the lock committed while this one waited: here that write likes the movie, so the
    waiting like finds the row and changes nothing (a read without it would insert a second
    like and fail on the unique constraint)."""
    import psycopg
    from django.contrib.auth import get_user_model

    movie = MovieFactory()
    user = UserFactory()
    settings = connection.get_connection_params()
    settings.pop("cursor_factory", None)
    users = connection.ops.quote_name(get_user_model()._meta.db_table)
    rows = connection.ops.quote_name(Interaction._meta.db_table)
    outcome, errors = [], []

    def like() -> None:
        try:
            outcome.append(services.like_add(user=user, movie_id=movie.pk))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    with psycopg.connect(**settings) as holder:
        holder.execute(f"SELECT 1 FROM {users} WHERE id = %s FOR NO KEY UPDATE", [user.pk])  # noqa: S608
        waiting = threading.Thread(target=like)
        waiting.start()
        waiting.join(timeout=1)
        assert waiting.is_alive(), "the like did not wait for the user's lock"
        holder.execute(
            f"INSERT INTO {rows} (user_id, movie_id, interaction_type, notes, count, source, "  # noqa: S608
            "timestamp) VALUES (%s, %s, 'like', '', 1, 'web', now())",
            [user.pk, movie.pk],
        )
        holder.commit()
        waiting.join(timeout=30)

    assert not waiting.is_alive()
    assert errors == []
    assert [entry.action for entry in outcome] == [None]
    assert outcome[0].state["like"] is True
    assert Interaction.objects.filter(user=user, movie=movie).count() == 1
