from apps.core.cache import (
    MISSING,
    cached,
    namespace_invalidate,
    versioned_get,
    versioned_set,
)


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
