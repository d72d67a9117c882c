"""The local front of window counters (LocalWindowCounts) against the shared cache."""

import threading

from apps.core import throttling
from apps.core.cache import window_incr
from apps.core.throttling import LocalWindowCounts


def shared_total(key: str) -> int:
    return window_incr(key, 60, amount=0)


def test_a_client_slower_than_the_sync_interval_is_counted_exactly():
    counts = LocalWindowCounts(sync_seconds=0)
    other_process = LocalWindowCounts(sync_seconds=0)

    assert [counts.count("k", 60) for _ in range(3)] == [1, 2, 3]
    assert other_process.count("k", 60) == 4  # each exchange reads every process's counts
    assert counts.count("k", 60) == 5
    assert shared_total("k") == 5


def test_between_exchanges_a_process_adds_its_own_counts_to_the_last_shared_total(monkeypatch):
    clock = [100.0]
    monkeypatch.setattr(throttling.time, "monotonic", lambda: clock[0])
    counts = LocalWindowCounts(sync_seconds=1)
    other_process = LocalWindowCounts(sync_seconds=1)

    assert counts.count("k", 60) == 1  # a new window exchanges at once
    assert other_process.count("k", 60) == 2
    assert [counts.count("k", 60) for _ in range(3)] == [2, 3, 4]  # 1 shared + 3 local
    assert shared_total("k") == 2  # not yet sent

    clock[0] += 1
    assert counts.count("k", 60) == 6  # sends its 4, reads the other process's 1
    assert shared_total("k") == 6


def test_counts_of_a_failed_exchange_are_sent_with_the_next(monkeypatch):
    counts = LocalWindowCounts(sync_seconds=0)
    monkeypatch.setattr(throttling, "window_incr", lambda key, ttl, amount: None)
    assert [counts.count("k", 60) for _ in range(3)] == [1, 2, 3]

    monkeypatch.setattr(throttling, "window_incr", window_incr)
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

    counts.sync_seconds = 0
    assert counts.count("k", 60) == 1601
    assert shared_total("k") == 1601


def test_many_clients_do_not_grow_the_local_windows_without_bound(monkeypatch):
    counts = LocalWindowCounts(sync_seconds=0)
    monkeypatch.setattr(counts, "max_windows", 10)
    for client in range(25):
        counts.count(f"client:{client}", 60)
    assert len(counts._windows) <= 10
