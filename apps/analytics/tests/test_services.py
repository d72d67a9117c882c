"""apps/analytics/services.py, called directly."""

import pytest
from django.test import RequestFactory

from apps.analytics import services
from apps.analytics.models import UserActivityLog
from apps.analytics.privacy import ip_decrypt
from apps.analytics.services import (
    activity_anonymise_user,
    activity_record,
    user_activity_anonymise,
)
from apps.core.context import RequestContext

pytestmark = pytest.mark.django_db(databases="__all__")


def test_activity_record_stores_the_event_with_what_the_request_context_tells():
    request = RequestFactory().get(
        "/",
        HTTP_USER_AGENT="curl/8",
        HTTP_REFERER="https://example.com/page",
        REMOTE_ADDR="192.0.2.9",
    )

    event = activity_record(
        action_type="movie_like",
        user_id=7,
        movie_id=3,
        metadata={"a": 1},
        context=RequestContext("req-9", request.META),
    )

    stored = UserActivityLog.objects.get(pk=event.pk)
    assert (stored.action_type, stored.user_id, stored.movie_id) == ("movie_like", 7, 3)
    assert (ip_decrypt(stored.ip_address), stored.user_agent) == ("192.0.2.9", "curl/8")
    assert (stored.referer, stored.metadata) == ("https://example.com/page", {"a": 1})
    assert stored.session_id not in ("", "req-9")


def test_activity_record_outside_a_request_stores_the_bare_event():
    event = activity_record(action_type="login", user_id=7)

    assert (event.ip_address, event.user_agent, event.referer) == (None, "", None)


def test_activity_record_swallows_a_failing_store(monkeypatch):
    def down(*args, **kwargs):
        raise RuntimeError("analytics database down")

    monkeypatch.setattr(UserActivityLog, "save", down)

    assert activity_record(action_type="login", user_id=7) is None


def test_activity_anonymise_user_detaches_only_that_users_rows():
    for user_id in (7, 7, 8):
        UserActivityLog.objects.create(user_id=user_id, action_type="login")

    assert activity_anonymise_user(user_id=7) == 2

    assert sorted(UserActivityLog.objects.values_list("user_id", flat=True), key=str) == [
        8,
        None,
        None,
    ]


def test_user_activity_anonymise_retries_in_the_background_when_analytics_fails(monkeypatch):
    retried = []

    def analytics_down(*, user_id):
        raise RuntimeError("analytics database down")

    monkeypatch.setattr(services, "activity_anonymise_user", analytics_down)
    monkeypatch.setattr(services, "enqueue", lambda task, *args: retried.append(args))

    user_activity_anonymise(user_id=41)

    assert retried == [(41,)]
