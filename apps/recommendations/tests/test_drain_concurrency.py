"""Drains of due refreshes at once on PostgreSQL: every due user is refreshed exactly once, and
a drain never waits for a user whose state row a write holds."""

import threading
from datetime import timedelta
from unittest.mock import patch

import pytest
from django.db import connection, transaction
from django.utils import timezone

from apps.accounts.tests.factories import UserFactory
from apps.core import tasks as core_tasks
from apps.core.testing import postgres_only
from apps.interactions.tests.test_concurrency import run_concurrently
from apps.recommendations import services
from apps.recommendations.models import RecommendationState

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True)]


def _refreshed_all(*, user_ids, **kwargs):
    return user_ids


def _due_users(count: int) -> list[int]:
    due = timezone.now() - timedelta(seconds=1)
    users = [UserFactory() for _ in range(count)]
    RecommendationState.objects.bulk_create(
        RecommendationState(user=user, change_count=1, refresh_due_at=due) for user in users
    )
    return [user.pk for user in users]


def test_drains_at_once_refresh_each_due_user_exactly_once(monkeypatch):
    monkeypatch.setattr(core_tasks, "enqueue", lambda *args, **kwargs: True)
    users = _due_users(30)
    refreshed, lock = [], threading.Lock()

    def refresh(*, user_ids, **kwargs):
        with lock:
            refreshed.extend(user_ids)
        return user_ids

    with patch.object(services, "recommendations_refresh_many", refresh):
        run_concurrently(
            [lambda: services.recommendations_refresh_drain(batch=7) for _ in range(6)]
        )
        while RecommendationState.objects.filter(refresh_due_at__isnull=False).exists():
            services.recommendations_refresh_drain(batch=7)

    assert sorted(refreshed) == sorted(users)


def test_a_drain_skips_a_user_whose_write_is_in_flight_and_takes_them_next_time(monkeypatch):
    monkeypatch.setattr(core_tasks, "enqueue", lambda *args, **kwargs: True)
    writing, other = _due_users(2)
    locked, release, done = threading.Event(), threading.Event(), threading.Event()

    def write_in_flight():
        try:
            with transaction.atomic():
                RecommendationState.objects.select_for_update().get(user_id=writing)
                locked.set()
                release.wait(timeout=30)
        finally:
            connection.close()
            done.set()

    thread = threading.Thread(target=write_in_flight)
    thread.start()
    try:
        assert locked.wait(timeout=30)
        with patch.object(services, "recommendations_refresh_many", _refreshed_all):
            assert services.recommendations_refresh_drain() == [other]
    finally:
        release.set()
        thread.join(timeout=30)
    assert done.is_set()
    with patch.object(services, "recommendations_refresh_many", _refreshed_all):
        assert services.recommendations_refresh_drain() == [writing]


def test_a_drain_takes_and_clears_its_due_users_in_one_statement_oldest_due_first(
    django_assert_num_queries,
):
    users = _due_users(3)
    RecommendationState.objects.filter(user_id=users[2]).update(
        refresh_due_at=timezone.now() - timedelta(seconds=30)
    )

    with django_assert_num_queries(1):  # no transaction of its own around it either
        taken = services._due_take(every=False, batch=2)

    assert taken == [users[2], users[0]]
    assert list(
        RecommendationState.objects.filter(refresh_due_at__isnull=False).values_list(
            "user_id", flat=True
        )
    ) == [users[1]]
