from django.conf import settings
from django.core.cache import cache
from django.test import override_settings

from apps.core.cache import (
    MISSING,
    cached,
    local_get,
    local_put,
    namespace_invalidate,
    versioned_get,
    versioned_set,
    window_incr,
)
from apps.core.testing import redis_only


def test_a_stored_value_is_a_hit_until_its_namespace_is_invalidated():
    assert versioned_get("films", ("p", 1)) == (MISSING, 1)
    versioned_set("films", ("p", 1), b"page one", 60, 1)
    assert versioned_get("films", ("p", 1)) == (b"page one", 1)

    namespace_invalidate("films")

    assert versioned_get("films", ("p", 1)) == (MISSING, 2)


def test_a_value_computed_before_an_invalidation_is_born_stale():
    _, version_seen = versioned_get("films", ("p", 2))
    namespace_invalidate("films")  # a sync lands while the page is being computed
    versioned_set("films", ("p", 2), b"old page", 60, version_seen)
    value, _ = versioned_get("films", ("p", 2))
    assert value is MISSING


def test_namespaces_and_parts_do_not_share_entries():
    versioned_set("films", ("p", 1), b"films", 60, 1)
    assert versioned_get("shows", ("p", 1))[0] is MISSING
    assert versioned_get("films", ("p", 11))[0] is MISSING


def test_cached_computes_once_then_serves_the_stored_value():
    calls = []

    def produce():
        calls.append(1)
        return {"n": len(calls)}

    assert cached("films", ("x",), 60, produce) == {"n": 1}
    assert cached("films", ("x",), 60, produce) == {"n": 1}
    namespace_invalidate("films")
    assert cached("films", ("x",), 60, produce) == {"n": 2}


def test_window_incr_adds_and_returns_the_shared_total():
    assert window_incr("w:1", 60) == 1
    assert window_incr("w:1", 60) == 2
    assert window_incr("w:1", 60, amount=5) == 7
    assert window_incr("w:2", 60) == 1


@redis_only
def test_a_window_counter_is_created_with_its_expiry():
    window_incr("w:ttl", 90)
    assert 0 < cache.ttl("w:ttl") <= 90


def test_a_local_copy_is_served_until_it_is_no_longer_fresh(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr("apps.core.cache.time.monotonic", lambda: clock[0])
    local_put("films", ("p", 1), b"page one")

    clock[0] += settings.CACHE_LOCAL_SECONDS - 0.01
    assert local_get("films", ("p", 1)) == b"page one"
    clock[0] += 0.02
    assert local_get("films", ("p", 1)) is MISSING


def test_invalidating_a_namespace_drops_this_processs_local_copies():
    local_put("films", ("p", 1), b"films")
    local_put("shows", ("p", 1), b"shows")

    namespace_invalidate("films")

    assert local_get("films", ("p", 1)) is MISSING
    assert local_get("shows", ("p", 1)) == b"shows"


@override_settings(CACHE_LOCAL_SECONDS=0)
def test_local_copies_can_be_turned_off():
    local_put("films", ("p", 1), b"films")
    assert local_get("films", ("p", 1)) is MISSING


def test_local_copies_are_bounded(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr("apps.core.cache.time.monotonic", lambda: clock[0])
    monkeypatch.setattr("apps.core.cache._LOCAL_MAX_ENTRIES", 4)
    local_put("films", ("p", 1), b"old")
    clock[0] += settings.CACHE_LOCAL_SECONDS  # the first copy is stale from here
    for page in range(2, 5):
        local_put("films", ("p", page), b"x")

    local_put("shows", ("p", 1), b"shows")  # full: the stale copy makes room
    assert [local_get("films", ("p", page)) for page in range(1, 5)] == [MISSING] + [b"x"] * 3
    assert local_get("shows", ("p", 1)) == b"shows"

    local_put("people", ("p", 1), b"people")  # full of fresh copies: all go
    assert local_get("shows", ("p", 1)) is MISSING
    assert local_get("people", ("p", 1)) == b"people"
