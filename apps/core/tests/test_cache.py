"""The cache helper: plain keys, counters, versioned namespaces, and outages."""

import pytest
from django.core.cache import cache
from django.db import transaction

from apps.core import cache as cache_module
from apps.core.cache import (
    MISSING,
    cache_add_or_get,
    cache_get,
    cache_incr,
    cache_set_many,
    cached,
    namespace_invalidate,
    namespace_invalidate_on_commit,
    namespace_listen,
    namespace_version,
    versioned_get,
    versioned_set,
)
from apps.core.testing import IS_REDIS, cache_unavailable, redis_only


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


def test_an_entry_with_dependencies_counts_only_while_each_namespace_is_unchanged():
    calls = []

    def produce():
        calls.append(1)
        return len(calls)

    for changed in (None, "films", "models", "arms"):
        if changed:
            namespace_invalidate(changed)
        assert cached("films", ("x",), 60, produce, depends_on=("models", "arms")) == len(calls)
        assert cached("films", ("x",), 60, produce, depends_on=("models", "arms")) == len(calls)
    assert len(calls) == 4
    assert versioned_get("films", ("x",), depends_on=("models", "arms"))[1] == (2, 2, 2)


def test_cached_computes_once_then_serves_the_stored_value():
    calls = []

    def produce():
        calls.append(1)
        return {"n": len(calls)}

    assert cached("films", ("x",), 60, produce) == {"n": 1}
    assert cached("films", ("x",), 60, produce) == {"n": 1}
    namespace_invalidate("films")
    assert cached("films", ("x",), 60, produce) == {"n": 2}


def test_cache_incr_adds_and_returns_the_shared_total():
    assert cache_incr("w:1", ttl=60) == 1
    assert cache_incr("w:1", ttl=60) == 2
    assert cache_incr("w:1", 5, ttl=60) == 7
    assert cache_incr("w:1", -2, ttl=60) == 5
    assert cache_incr("w:2", ttl=60) == 1


def test_a_new_counter_starts_from_its_initial_value():
    assert cache_incr("c:versions", initial=1) == 2
    assert cache_incr("c:versions", initial=1) == 3


@redis_only
def test_a_counter_is_created_with_its_expiry():
    cache_incr("w:ttl", ttl=90)
    assert 0 < cache.ttl("w:ttl") <= 90


@redis_only
def test_a_counter_without_a_ttl_does_not_expire():
    cache_incr("c:forever")
    assert cache.ttl("c:forever") is None


def test_cache_add_or_get_sets_a_key_once_then_tells_the_value_in_the_way():
    assert cache_add_or_get("gate", 1764000000123, 30) == (True, None)
    assert cache_add_or_get("gate", 5, 30) == (False, 1764000000123)
    assert cache_get("gate") == 1764000000123
    cache.delete("gate")
    assert cache_add_or_get("gate", {"any": "value"}, 30) == (True, None)
    assert cache_add_or_get("gate", 5, 30) == (False, {"any": "value"})


@pytest.fixture
def redis_commands(monkeypatch) -> list[str]:
    """The names of the commands sent to Redis one by one from now on (a pipeline's are not
    sent through ``execute_command``, so they are not listed)."""
    from django_redis import get_redis_connection

    client = get_redis_connection("default")
    commands = []
    real = client.execute_command
    monkeypatch.setattr(
        client, "execute_command", lambda *args, **kw: commands.append(args[0]) or real(*args, **kw)
    )
    return commands


@redis_only
def test_cache_add_or_get_is_one_redis_command_and_sets_the_expiry(redis_commands):
    assert cache_add_or_get("gate:ttl", 1, 2.5) == (True, None)
    assert cache_add_or_get("gate:ttl", 2, 2.5) == (False, 1)
    assert redis_commands == ["SET", "SET"]
    assert 0 < cache.ttl("gate:ttl") <= 3


def test_cache_set_many_stores_one_or_several_keys():
    cache_set_many({"one": 1}, 60)
    cache_set_many({"two": 2, "three": {"n": 3}}, 60)
    assert cache.get_many(["one", "two", "three"]) == {"one": 1, "two": 2, "three": {"n": 3}}


@redis_only
def test_cache_set_many_of_one_key_is_one_plain_set_with_its_expiry(redis_commands):
    cache_set_many({"mark": 1}, 5)
    assert redis_commands == ["SET"]  # not a MULTI ... EXEC pipeline
    assert 0 < cache.ttl("mark") <= 5


def test_with_the_cache_down_cache_add_or_get_answers_that_it_set_the_key():
    with cache_unavailable():
        assert cache_add_or_get("gate", 1, 30) == (True, None)
        assert cache_add_or_get("gate", 1, 30) == (True, None)


def test_with_the_cache_down_a_counter_answers_none_and_reads_are_misses():
    with cache_unavailable():
        assert cache_incr("w:1", ttl=60) is None
        assert versioned_get("films", ("p", 1)) == (MISSING, 0)
        assert cached("films", ("x",), 60, lambda: "fresh") == "fresh"
        namespace_invalidate("films")
        assert namespace_version("films") == 1


def test_an_invalidation_moves_the_version_seen_by_every_process():
    assert namespace_version("films") == 1
    namespace_invalidate("films")
    namespace_invalidate("films")
    assert namespace_version("films") == 3


def test_an_invalidation_tells_this_processs_listeners_after_the_version_moved():
    seen = []
    stop = namespace_listen(
        lambda namespace: seen.append((namespace, namespace_version(namespace)))
    )
    try:
        namespace_invalidate("films")
    finally:
        stop()
    namespace_invalidate("shows")
    assert seen == [("films", 2)]


# Invalidations at commit ------------------------------------------------------------------


@pytest.mark.django_db
def test_namespaces_noted_in_a_transaction_are_invalidated_at_its_commit_together(
    django_capture_on_commit_callbacks, monkeypatch
):
    bumps = []
    real = cache_module.namespace_invalidate_many
    monkeypatch.setattr(
        cache_module,
        "namespace_invalidate_many",
        lambda names, **kw: bumps.append(sorted(set(names))) or real(names, **kw),
    )
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        namespace_invalidate_on_commit("films")
        namespace_invalidate_on_commit("shows")
        namespace_invalidate_on_commit("films")
        assert (namespace_version("films"), namespace_version("shows")) == (1, 1)

    assert bumps == [["films", "shows"]]  # one call, one round trip
    assert (namespace_version("films"), namespace_version("shows")) == (2, 2)  # each once


@pytest.mark.django_db
def test_plain_keys_a_provider_owes_are_set_in_the_round_trip_of_a_commits_invalidations(
    django_capture_on_commit_callbacks, monkeypatch, request
):
    asked = []

    def provider():
        asked.append(True)
        return {"mark:7": (1, 5), "mark:8": ({"any": "value"}, 5)}

    monkeypatch.setattr(cache_module, "_commit_key_providers", [])
    cache_module.commit_keys_provide(provider)
    cache_module.commit_keys_provide(provider)  # registered once
    commands = request.getfixturevalue("redis_commands") if IS_REDIS else []
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        namespace_invalidate_on_commit("films")
        assert asked == []  # asked at the commit, not before
    sent = list(commands)

    assert asked == [True]
    assert namespace_version("films") == 2
    assert cache.get_many(["mark:7", "mark:8"]) == {"mark:7": 1, "mark:8": {"any": "value"}}
    assert sent == []  # on Redis: all in the invalidations' one pipeline
    if IS_REDIS:
        assert 0 < cache.ttl("mark:7") <= 5


@pytest.mark.django_db
def test_a_failing_provider_of_plain_keys_does_not_stop_a_commits_invalidations(
    django_capture_on_commit_callbacks, monkeypatch, caplog
):
    def broken():
        raise RuntimeError("a bug in a provider")

    monkeypatch.setattr(cache_module, "_commit_key_providers", [])
    cache_module.commit_keys_provide(broken)
    cache_module.commit_keys_provide(lambda: {"mark:9": (1, 5)})
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        namespace_invalidate_on_commit("films")

    assert namespace_version("films") == 2
    assert cache_get("mark:9") == 1
    assert "commit_keys_provider_failed" in caplog.text


@pytest.mark.django_db
def test_a_namespace_noted_only_in_a_rolled_back_savepoint_is_not_invalidated(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        try:
            with transaction.atomic():
                namespace_invalidate_on_commit("films")
                raise RuntimeError
        except RuntimeError:
            pass
        namespace_invalidate_on_commit("shows")

    assert (namespace_version("films"), namespace_version("shows")) == (1, 2)


@pytest.mark.django_db(transaction=True)
def test_a_transaction_rolled_back_whole_leaves_nothing_for_the_next_commit():
    try:
        with transaction.atomic():
            namespace_invalidate_on_commit("films")
            raise RuntimeError
    except RuntimeError:
        pass
    with transaction.atomic():
        namespace_invalidate_on_commit("shows")

    assert (namespace_version("films"), namespace_version("shows")) == (1, 2)


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_invalidation_is_at_once():
    namespace_invalidate_on_commit("films")
    assert namespace_version("films") == 2


@redis_only
def test_several_invalidations_bump_their_versions_in_one_redis_round_trip(monkeypatch):
    pipelines = []
    real = cache_module._redis_incr_many
    monkeypatch.setattr(
        cache_module,
        "_redis_incr_many",
        lambda backend, keys, *args, **kw: (
            pipelines.append(len(keys)) or real(backend, keys, *args, **kw)
        ),
    )
    cache_module.namespace_invalidate_many(["films", "shows", "people"])

    assert pipelines == [3]
    assert [namespace_version(name) for name in ("films", "shows", "people")] == [2, 2, 2]
