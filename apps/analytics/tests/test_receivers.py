"""Analytics hears about activity and deletions through signals only (nothing imports it)."""

import pytest

from apps.analytics.models import UserActivityLog
from apps.analytics.recording import activity_flush
from apps.core.activity import activity_emit_on_commit

pytestmark = pytest.mark.django_db


def test_a_reported_activity_event_becomes_one_log_row(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        activity_emit_on_commit(
            event="rating_submit", user_id=5, movie_id=8, metadata={"rating": "4.0"}, source="api"
        )

    activity_flush()
    row = UserActivityLog.objects.get()
    assert (row.action_type, row.user_id, row.movie_id, row.source) == (
        "rating_submit",
        5,
        8,
        "api",
    )
    assert row.metadata == {"rating": "4.0"}


def test_any_deletion_of_a_user_anonymises_their_activity(
    user, other_user, django_capture_on_commit_callbacks
):
    UserActivityLog.objects.create(user_id=user.pk, action_type="movie_view")
    UserActivityLog.objects.create(user_id=other_user.pk, action_type="movie_view")

    with django_capture_on_commit_callbacks(execute=True):
        user.delete()  # as the admin deletes: not through the account API

    assert set(UserActivityLog.objects.values_list("user_id", flat=True)) == {None, other_user.pk}
