import pytest
from django.db import transaction

from apps.core.activity import activity_emit_on_commit, activity_happened
from apps.core.context import NO_REQUEST

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def heard():
    events = []

    def listener(sender, **kwargs):
        events.append(kwargs)

    activity_happened.connect(listener, dispatch_uid="test_activity_listener")
    yield events
    activity_happened.disconnect(dispatch_uid="test_activity_listener")


def test_an_event_is_sent_with_its_name_user_movie_and_metadata_once_the_write_commits(heard):
    with transaction.atomic():
        activity_emit_on_commit(event="movie_view", user_id=3, movie_id=9, metadata={"a": 1})
        assert heard == []

    assert heard == [
        {
            "signal": activity_happened,
            "event": "movie_view",
            "user_id": 3,
            "movie_id": 9,
            "metadata": {"a": 1},
            "source": "web",
            "context": NO_REQUEST,  # reported outside a request
        }
    ]


def test_a_rolled_back_write_reports_nothing(heard):
    with pytest.raises(RuntimeError), transaction.atomic():
        activity_emit_on_commit(event="movie_view", user_id=3)
        raise RuntimeError("the write failed")

    assert heard == []


def test_a_failing_listener_is_logged_and_the_others_still_hear_the_event(heard, caplog):
    def broken(sender, **kwargs):
        raise ValueError("listener bug")

    activity_happened.connect(broken, dispatch_uid="test_activity_broken")
    try:
        with transaction.atomic():
            activity_emit_on_commit(event="like_add", user_id=1, movie_id=2)
    finally:
        activity_happened.disconnect(dispatch_uid="test_activity_broken")

    assert [event["event"] for event in heard] == ["like_add"]
    assert any(record.message == "signal_receiver_failed" for record in caplog.records)
