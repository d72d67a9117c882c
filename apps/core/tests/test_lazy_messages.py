"""apps/core/middleware.py LazyMessageMiddleware: the message storage is built only for a
request that uses messages, and messages still reach the next response."""

from django.contrib import messages
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils.functional import empty

from apps.core.middleware import LazyMessageMiddleware


def request_for(path):
    request = RequestFactory().get(path)
    request.session = SessionStore()
    return request


def run(request, view):
    return LazyMessageMiddleware(view)(request)


def test_a_request_that_uses_no_message_builds_no_storage_and_sets_no_cookie():
    request = request_for("/api/v1/movies/")

    response = run(request, lambda request: HttpResponse("ok"))

    assert request._messages._wrapped is empty
    assert "messages" not in response.cookies


def test_a_message_added_is_stored_for_the_next_request_and_read_there():
    first = request_for("/admin/")

    def save(request):
        messages.success(request, "Saved.")
        return HttpResponse()

    response = run(first, save)

    assert "messages" in response.cookies  # the fallback storage keeps it in a cookie
    second = request_for("/admin/")
    second.COOKIES["messages"] = response.cookies["messages"].value
    shown = []

    def show(request):
        shown.extend(str(message) for message in messages.get_messages(request))
        return HttpResponse()

    run(second, show)
    assert shown == ["Saved."]
