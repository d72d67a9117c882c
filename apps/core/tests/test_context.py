"""The request context (apps.core.context): one reading of the client's address, and what
services learn about the request being served without being handed it."""

import pytest
from django.test import RequestFactory, override_settings
from rest_framework.settings import api_settings

from apps.core.context import NO_REQUEST, RequestContext, client_ip, request_context
from apps.core.throttling import AnonRateThrottle


def proxies(count: int | None):
    return override_settings(REST_FRAMEWORK={**api_settings.user_settings, "NUM_PROXIES": count})


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "198.51.100.1", "203.0.113.7"),  # no trusted proxy: the header is the client's word
        (1, None, "203.0.113.7"),
        (1, "198.51.100.1", "198.51.100.1"),
        (1, "6.6.6.6, 198.51.100.1", "198.51.100.1"),  # a spoofed entry before the proxy's
        (2, "6.6.6.6, 198.51.100.1, 192.0.2.9", "198.51.100.1"),
        (3, "198.51.100.1", "198.51.100.1"),  # fewer entries than proxies: the first
        (None, "198.51.100.1, 192.0.2.9", "198.51.100.1,192.0.2.9"),  # DRF's NUM_PROXIES=None
    ],
)
def test_the_client_address_believes_only_as_much_of_x_forwarded_for_as_there_are_proxies(
    count, forwarded, expected
):
    meta = {"REMOTE_ADDR": "203.0.113.7"}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    with proxies(count):
        assert client_ip(meta) == expected


@pytest.mark.parametrize("count", [0, 1, 2])
def test_throttles_identify_clients_by_the_same_address(count):
    request = RequestFactory().get(
        "/", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.1"
    )
    with proxies(count):
        assert AnonRateThrottle().get_ident(request) == client_ip(request.META)


def test_outside_a_request_the_context_is_empty():
    assert request_context() is NO_REQUEST
    assert (NO_REQUEST.request_id, NO_REQUEST.client_ip) == (None, None)
    assert (NO_REQUEST.user_agent, NO_REQUEST.referer) == ("", "")


def test_a_context_reads_the_client_from_the_request():
    meta = {
        "REMOTE_ADDR": "203.0.113.7",
        "HTTP_USER_AGENT": "curl/8",
        "HTTP_REFERER": "https://example.test/",
    }
    context = RequestContext("req-1", meta)
    assert (context.request_id, context.client_ip) == ("req-1", "203.0.113.7")
    assert (context.user_agent, context.referer) == ("curl/8", "https://example.test/")
