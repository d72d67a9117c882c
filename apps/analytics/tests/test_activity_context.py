"""Analytics events carry who made the request, from the request context (services are not
handed the HTTP request)."""

import pytest
from django.test import override_settings
from rest_framework.settings import api_settings

from apps.analytics.models import UserActivityLog
from apps.analytics.privacy import ip_decrypt
from apps.analytics.recording import activity_flush
from apps.catalog.tests.factories import MovieFactory

pytestmark = pytest.mark.django_db


def rate(auth_client, movie, django_capture_on_commit_callbacks, **headers):
    with django_capture_on_commit_callbacks(execute=True):
        response = auth_client.put(
            f"/api/v1/movies/{movie.pk}/rating/", {"rating": 4.0}, format="json", **headers
        )
    assert response.status_code == 201
    return response


def test_an_event_records_the_address_agent_referer_and_request_id_of_its_request(
    auth_client, django_capture_on_commit_callbacks
):
    movie = MovieFactory()
    response = rate(
        auth_client,
        movie,
        django_capture_on_commit_callbacks,
        REMOTE_ADDR="203.0.113.7",
        HTTP_USER_AGENT="NexusApp/2.1",
        HTTP_REFERER="https://example.test/movies/",
        HTTP_X_REQUEST_ID="rate-42",
    )

    activity_flush()
    event = UserActivityLog.objects.get()
    assert ip_decrypt(event.ip_address) == "203.0.113.7"
    assert event.user_agent == "NexusApp/2.1"
    assert event.referer == "https://example.test/movies/"
    # The session groups the client's requests; the request id names one request.
    assert response["X-Request-ID"] == "rate-42" != event.session_id


def test_behind_a_proxy_the_event_records_the_address_the_proxy_saw(
    auth_client, django_capture_on_commit_callbacks
):
    rest = {**api_settings.user_settings, "NUM_PROXIES": 1}
    with override_settings(REST_FRAMEWORK=rest):
        rate(
            auth_client,
            MovieFactory(),
            django_capture_on_commit_callbacks,
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.1",
        )

    activity_flush()
    assert ip_decrypt(UserActivityLog.objects.get().ip_address) == "198.51.100.1"


def test_a_forwarded_value_that_is_not_an_address_is_left_out_and_the_event_kept(
    auth_client, django_capture_on_commit_callbacks
):
    rest = {**api_settings.user_settings, "NUM_PROXIES": 1}
    with override_settings(REST_FRAMEWORK=rest):
        rate(
            auth_client,
            MovieFactory(),
            django_capture_on_commit_callbacks,
            HTTP_X_FORWARDED_FOR="not-an-address",
        )

    activity_flush()
    event = UserActivityLog.objects.get()
    assert event.ip_address is None
    assert event.action_type == "rating_submit"
