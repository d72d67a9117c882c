"""The anonymous fast path (apps.core.fastpath): who it may serve, its local copies and its local
throttle front. The catalog's tests check the answers it serves (test_cached_answers.py)."""

import json
import threading

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from django.urls import path
from rest_framework.permissions import AllowAny, IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.cache import MISSING, cache_incr, namespace_invalidate
from apps.core.fastpath import (
    CachedBytesMixin,
    CacheSlot,
    LocalCopies,
    LocalWindowCounts,
    local_copies,
)
from apps.core.testing import cache_unavailable


class PublicView(CachedBytesMixin, APIView):
    permission_classes = [AllowAny]
    computed = 0

    def cache_slot(self, request):
        return CacheSlot("test:public", ("page",), 60)

    def get(self, request):
        def produce():
            PublicView.computed += 1
            return Response({"computed": PublicView.computed})

        return self.bytes_cached(self.cache_slot(request), produce)


urlpatterns = [path("public/", PublicView.as_view())]


# Who may be served -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "permissions",
    [[IsAuthenticated], [IsAuthenticatedOrReadOnly], [AllowAny, IsAuthenticated], []],
    ids=["authenticated", "read-only", "allow-any-and-more", "none"],
)
def test_a_view_whose_permissions_are_not_exactly_allow_any_cannot_be_defined(permissions):
    with pytest.raises(ImproperlyConfigured, match=r"not exactly \[AllowAny\]"):

        class MisconfiguredView(CachedBytesMixin, APIView):
            permission_classes = permissions

            def cache_slot(self, request):
                return CacheSlot("test:private", (), 60)


def test_a_view_that_decides_its_permissions_itself_cannot_be_defined():
    with pytest.raises(ImproperlyConfigured, match=r"overrides get_permissions\(\)"):

        class DynamicView(CachedBytesMixin, APIView):
            permission_classes = [AllowAny]

            def get_permissions(self):
                return [IsAuthenticated()]


def test_a_subclass_that_narrows_the_permissions_of_a_public_view_cannot_be_defined():
    with pytest.raises(ImproperlyConfigured):

        class NarrowedView(PublicView):
            permission_classes = [IsAuthenticated]


def test_permissions_given_to_as_view_are_refused_too():
    with pytest.raises(ImproperlyConfigured, match=r"not exactly \[AllowAny\]"):
        PublicView.as_view(permission_classes=[IsAuthenticated])


@pytest.mark.urls("apps.core.tests.test_fastpath")
@pytest.mark.django_db
def test_a_request_with_a_bad_token_is_refused_not_served_the_public_bytes(api_client):
    assert api_client.get("/public/").status_code == 200
    assert api_client.get("/public/").status_code == 200  # a hit from the stored bytes

    response = api_client.get("/public/", HTTP_AUTHORIZATION="Bearer not-a-token")

    assert response.status_code == 401
    assert response.json()["success"] is False


@pytest.mark.urls("apps.core.tests.test_fastpath")
@pytest.mark.django_db
def test_an_anonymous_hit_is_the_answer_computed_once(api_client):
    first = api_client.get("/public/")
    computed = PublicView.computed

    assert [api_client.get("/public/").content for _ in range(3)] == [first.content] * 3
    assert PublicView.computed == computed


# Local copies ----------------------------------------------------------------------------------


def test_a_local_copy_is_served_until_it_is_no_longer_fresh(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr("apps.core.fastpath.time.monotonic", lambda: clock[0])
    copies = LocalCopies()
    copies.put("films", ("p", 1), b"page one")

    clock[0] += settings.CACHE_LOCAL_SECONDS - 0.01
    assert copies.get("films", ("p", 1)) == b"page one"
    clock[0] += 0.02
    assert copies.get("films", ("p", 1)) is MISSING


def test_invalidating_a_namespace_drops_this_processs_local_copies():
    local_copies.put("films", ("p", 1), b"films")
    local_copies.put("shows", ("p", 1), b"shows")

    namespace_invalidate("films")

    assert local_copies.get("films", ("p", 1)) is MISSING
    assert local_copies.get("shows", ("p", 1)) == b"shows"


@override_settings(CACHE_LOCAL_SECONDS=0)
def test_local_copies_can_be_turned_off():
    copies = LocalCopies()
    copies.put("films", ("p", 1), b"films")
    assert copies.get("films", ("p", 1)) is MISSING


def test_local_copies_are_bounded(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr("apps.core.fastpath.time.monotonic", lambda: clock[0])
    copies = LocalCopies()
    copies.max_entries = 4
    copies.put("films", ("p", 1), b"old")
    clock[0] += settings.CACHE_LOCAL_SECONDS  # the first copy is stale from here
    for page in range(2, 5):
        copies.put("films", ("p", page), b"x")

    copies.put("shows", ("p", 1), b"shows")  # full: the stale copy makes room
    assert [copies.get("films", ("p", page)) for page in range(1, 5)] == [MISSING] + [b"x"] * 3
    assert copies.get("shows", ("p", 1)) == b"shows"
    assert len(copies) == 4

    copies.put("people", ("p", 1), b"people")  # full of fresh copies: all go
    assert copies.get("shows", ("p", 1)) is MISSING
    assert copies.get("people", ("p", 1)) == b"people"
    assert len(copies) == 1


# The local throttle front ----------------------------------------------------------------------


@pytest.fixture
def clock(monkeypatch):
    """The local front's clock: ``clock[0]`` is what time.monotonic() returns."""
    now = [100.0]
    monkeypatch.setattr("apps.core.fastpath.time.monotonic", lambda: now[0])
    return now


def shared_total(key: str) -> int:
    return cache_incr(key, 0, ttl=60)


def test_a_client_slower_than_the_sync_interval_is_counted_exactly():
    counts = LocalWindowCounts(sync_seconds=0)
    other_process = LocalWindowCounts(sync_seconds=0)

    assert [counts.count("k", 60) for _ in range(3)] == [1, 2, 3]
    assert other_process.count("k", 60) == 4  # each exchange reads every process's counts
    assert counts.count("k", 60) == 5
    assert shared_total("k") == 5


def test_between_exchanges_a_process_adds_its_own_counts_to_the_last_shared_total(clock):
    counts = LocalWindowCounts(sync_seconds=1)
    other_process = LocalWindowCounts(sync_seconds=1)

    assert counts.count("k", 60) == 1  # a new window exchanges at once
    assert other_process.count("k", 60) == 2
    assert [counts.count("k", 60) for _ in range(3)] == [2, 3, 4]  # 1 shared + 3 local
    assert shared_total("k") == 2  # not yet sent

    clock[0] += 1
    assert counts.count("k", 60) == 6  # sends its 4, reads the other process's 1
    assert shared_total("k") == 6


def test_counts_of_a_failed_exchange_are_sent_with_the_next():
    counts = LocalWindowCounts(sync_seconds=0)
    with cache_unavailable():
        assert [counts.count("k", 60) for _ in range(3)] == [1, 2, 3]

    assert counts.count("k", 60) == 4
    assert shared_total("k") == 4


def test_concurrent_counting_loses_no_count():
    counts = LocalWindowCounts(sync_seconds=0)
    threads = [
        threading.Thread(target=lambda: [counts.count("k", 60) for _ in range(200)])
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert counts.count("k", 60) == 1601
    assert shared_total("k") == 1601


def test_many_clients_do_not_grow_the_local_windows_without_bound():
    counts = LocalWindowCounts(sync_seconds=3600)
    counts.max_windows = 10
    for client in range(25):
        counts.count(f"client:{client}", 60)
    assert len(counts) <= 10


def test_a_client_whose_window_was_forgotten_is_counted_from_the_shared_total():
    counts = LocalWindowCounts(sync_seconds=3600)
    counts.max_windows = 10
    assert [counts.count("client:0", 60) for _ in range(3)] == [1, 2, 3]
    for client in range(1, 25):  # a spread of clients pushes client 0's window out
        counts.count(f"client:{client}", 60)

    # Its first two counts were only local (one exchange, on its first request): the shared
    # total has 1, and the forgotten window exchanges again at once.
    assert counts.count("client:0", 60) == 2
    assert shared_total("client:0") == 2


def test_an_overlay_is_spliced_into_the_data_object_of_the_public_bytes():
    from apps.core.envelope import success_body
    from apps.core.fastpath import with_overlay
    from apps.core.renderers import EnvelopeJSONRenderer

    def render(data):
        return EnvelopeJSONRenderer().render(data, "application/json", {})

    public = render(success_body({"id": 7, "title": 'Heat }, "message"'}))
    spliced = with_overlay(public, "user_state", render({"liked": True, "rating": "4.5"}))
    state = {"liked": True, "rating": "4.5"}
    assert json.loads(spliced) == json.loads(
        render(success_body({"id": 7, "title": 'Heat }, "message"', "user_state": state}))
    )
    assert json.loads(with_overlay(render(success_body({})), "k", b"1"))["data"] == {"k": 1}
    # The public answer's placeholder for the member is replaced, not followed by a second one.
    placeholder = with_overlay(render(success_body({"id": 7, "k": None})), "k", b"[1]")
    assert placeholder == render(success_body({"id": 7, "k": [1]}))
    assert with_overlay(render(success_body([1, 2])), "k", b"1") is None
    assert with_overlay(b"\x1f\x8b compressed", "k", b"1") is None


def test_a_users_requests_are_counted_through_the_process_local_front(monkeypatch):
    from types import SimpleNamespace

    from apps.core import fastpath
    from apps.core.throttling import AuthRateThrottle, UserRateThrottle

    exchanges = []

    def counting_incr(key, amount=1, **kwargs):
        exchanges.append((key, amount))
        return sum(a for k, a in exchanges if k == key)

    monkeypatch.setattr(fastpath, "cache_incr", counting_incr)
    monkeypatch.setattr("apps.core.throttling.cache_incr", counting_incr)
    monkeypatch.setattr(fastpath.time, "monotonic", lambda: 1000.0)
    request = SimpleNamespace(user=SimpleNamespace(is_authenticated=True, pk=7), META={})

    assert all(UserRateThrottle().allow_request(request, None) for _ in range(5))
    assert len(exchanges) == 1  # the window's first request; the rest within 50 ms: none
    assert all(AuthRateThrottle().allow_request(request, None) for _ in range(3))
    assert len(exchanges) == 4  # the strict scope counts every request in the shared counter


def test_a_window_far_from_its_limit_exchanges_after_a_tenth_of_the_room(clock):
    counts = LocalWindowCounts(sync_seconds=0)

    assert counts.count("k", 60, limit=1000) == 1  # a new window exchanges at once
    for _ in range(99):
        clock[0] += 0.01
        counts.count("k", 60, limit=1000)
    assert shared_total("k") == 1  # 99 counted here: under a tenth of the 999 left

    clock[0] += 0.01
    assert counts.count("k", 60, limit=1000) == 101  # the 100th reaches it (100 x 10 >= 999)
    assert shared_total("k") == 101


def test_a_window_far_from_its_limit_still_exchanges_every_few_seconds(clock):
    counts = LocalWindowCounts(sync_seconds=0.05)
    other_process = LocalWindowCounts(sync_seconds=0.05)

    counts.count("k", 60, limit=1000)
    other_process.count("k", 60, limit=1000)
    clock[0] += 1
    counts.count("k", 60, limit=1000)
    assert shared_total("k") == 2  # within max_seconds: only this process knows its count

    clock[0] += counts.max_seconds
    assert counts.count("k", 60, limit=1000) == 4  # sends its 2, reads the other's 1
    assert shared_total("k") == 4


def test_processes_near_a_limit_admit_little_past_it():
    limit = 20
    processes = [LocalWindowCounts(sync_seconds=0) for _ in range(4)]
    admitted = 0
    for _ in range(30):  # 120 requests spread over four processes, one after another
        for counts in processes:
            admitted += counts.count("k", 60, limit=limit) <= limit

    unsent = sum(window.pending for counts in processes for window in counts._windows.values())
    assert shared_total("k") + unsent == 120
    assert limit <= admitted <= limit + 4
