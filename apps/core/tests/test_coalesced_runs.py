"""apps/core/tasks.py CoalescedRun: one waiting run of a task across processes, whatever the
number of writes that make it due, and nothing lost when the broker or the cache is down."""

import time

import pytest
from celery import Celery

from apps.core import tasks as core_tasks
from apps.core.cache import cache_add, cache_delete_many, cache_set
from apps.core.tasks import CoalescedRun, coalesced_runs_forget

# A Celery app of its own (the project's app and its registry of tasks are untouched).
app = Celery("coalesced-runs-test", set_as_current=False)
ran = []


@app.task(name="tests.core.coalesced")
def noop(key: str = "", **kwargs) -> None:
    """Begins as the project's runs do (drops the mark), then records its arguments."""
    if key:
        cache_delete_many([key])
    ran.append(kwargs)


@pytest.fixture
def broker(monkeypatch) -> list:
    """A broker that takes every message (eager mode off), recording (countdown, kwargs)."""
    monkeypatch.setitem(noop.app.conf, "task_always_eager", False)
    sent = []

    def send(task, *args, countdown=None, **kwargs):
        sent.append((countdown, kwargs))
        return True

    monkeypatch.setattr(core_tasks, "enqueue", send)
    return sent


def test_writes_before_the_run_begins_send_one_run_and_a_write_after_sends_the_next(broker):
    run = CoalescedRun("tests:coalesced:one")
    assert run.schedule(noop, countdown=0.5, every=False)
    assert run.schedule(noop, countdown=0.5, every=False)
    assert broker == [(0.5, {"every": False})]

    run.begun()
    run.forget()  # as another process would be: it relies on the mark alone
    assert run.schedule(noop, countdown=0.5, every=False)
    assert len(broker) == 2


def test_another_process_finds_the_waiting_run_in_the_cache(broker):
    run = CoalescedRun("tests:coalesced:other")
    assert run.schedule(noop, countdown=0.5)
    run.forget()  # this process now behaves as one that sent nothing
    assert run.schedule(noop, countdown=0.5)
    assert len(broker) == 1


def test_a_broker_that_refuses_the_run_drops_the_mark_so_the_next_write_tries_again(
    monkeypatch,
):
    monkeypatch.setitem(noop.app.conf, "task_always_eager", False)
    answers = [False, True]
    monkeypatch.setattr(core_tasks, "enqueue", lambda task, **kwargs: answers.pop(0))
    run = CoalescedRun("tests:coalesced:refused")

    assert run.schedule(noop, countdown=0.5) is False  # the caller may do the work itself
    assert cache_add(run.key, 1, 5)  # the mark was dropped
    run.begun()
    assert run.schedule(noop, countdown=0.5) is True
    assert answers == []


def test_a_run_of_countdown_zero_is_not_relied_on(broker):
    """A run sent to start at once may have begun already: the next write asks again."""
    run = CoalescedRun("tests:coalesced:now")
    run.schedule(noop, countdown=0)
    run.begun()
    run.schedule(noop, countdown=0)
    assert len(broker) == 2


def test_in_eager_mode_each_write_runs_the_task_before_it_returns(monkeypatch):
    monkeypatch.setitem(noop.app.conf, "task_always_eager", True)
    ran.clear()
    run = CoalescedRun("tests:coalesced:eager")

    assert run.schedule(noop, countdown=0.5, key=run.key, every=True)
    assert run.schedule(noop, countdown=0.5, key=run.key, every=True)
    assert ran == [{"every": True}, {"every": True}]


def test_forgetting_every_run_makes_each_ask_the_cache_again(broker, monkeypatch):
    asked = []
    monkeypatch.setattr(
        core_tasks, "cache_add_or_get", lambda key, *args: asked.append(key) or (True, None)
    )
    first, second = CoalescedRun("tests:coalesced:a"), CoalescedRun("tests:coalesced:b")
    for run in (first, second, first, second):
        run.schedule(noop, countdown=5)
    assert asked == [first.key, second.key]

    coalesced_runs_forget()
    first.schedule(noop, countdown=5)
    second.schedule(noop, countdown=5)
    assert asked == [first.key, second.key, first.key, second.key]


class Clocks:
    """The clocks apps.core.tasks reads (and only those), moved forward together by the test."""

    def __init__(self, monkeypatch) -> None:
        self.wall, self.mono = time.time(), 1000.0
        monkeypatch.setattr(core_tasks, "time", self)

    def time(self) -> float:
        return self.wall

    def monotonic(self) -> float:
        return self.mono

    def advance(self, seconds: float) -> None:
        self.wall += seconds
        self.mono += seconds


@pytest.fixture
def asked(monkeypatch) -> list:
    """The keys CoalescedRun asked the cache about (each a round trip)."""
    keys = []
    real = core_tasks.cache_add_or_get

    def ask(key, *args):
        keys.append(key)
        return real(key, *args)

    monkeypatch.setattr(core_tasks, "cache_add_or_get", ask)
    return keys


def test_a_process_that_finds_anothers_waiting_run_skips_the_cache_until_shortly_before_it(
    broker, asked, monkeypatch
):
    clocks = Clocks(monkeypatch)
    key = "tests:coalesced:shared"
    sender, other = CoalescedRun(key), CoalescedRun(key)  # two processes, one mark
    assert sender.schedule(noop, countdown=2)
    assert other.schedule(noop, countdown=2)  # finds the mark: the run begins in 2 s
    assert len(broker) == 1 and asked == [key, key]

    clocks.advance(1.5)
    assert other.schedule(noop, countdown=2)  # still before the run can begin: no round trip
    assert asked == [key, key]

    clocks.advance(0.45)  # within the margin of the run's time: it may begin any moment
    noop(key=key)  # and it does: the mark is dropped
    assert other.schedule(noop, countdown=2)
    assert asked == [key, key, key]
    assert len(broker) == 2  # this write's change is the next run's


def test_a_mark_past_its_time_or_without_one_is_not_relied_on(broker, asked, monkeypatch):
    """A run whose time has passed (a busy worker) may begin at any moment, and a mark of an
    older release holds no time: each write asks again, and none sends a second run."""
    clocks = Clocks(monkeypatch)
    late, old = "tests:coalesced:late", "tests:coalesced:old"
    cache_set(late, int((clocks.wall - 1) * 1000), 30)
    cache_set(old, 1, 30)
    for key in (late, old):
        run = CoalescedRun(key)
        assert run.schedule(noop, countdown=0.5)
        assert run.schedule(noop, countdown=0.5)
    assert asked == [late, late, old, old]
    assert broker == []


def test_in_eager_mode_a_mark_found_is_not_relied_on(monkeypatch, asked):
    monkeypatch.setitem(noop.app.conf, "task_always_eager", True)
    clocks = Clocks(monkeypatch)
    key = "tests:coalesced:eager-mark"
    cache_set(key, int((clocks.wall + 60) * 1000), 30)
    run = CoalescedRun(key)
    run.schedule(noop, countdown=0.5)
    run.schedule(noop, countdown=0.5)
    assert asked == [key, key]
