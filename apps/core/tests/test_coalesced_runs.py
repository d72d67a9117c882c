"""apps/core/tasks.py CoalescedRun: one waiting run of a task across processes, whatever the
number of writes that make it due, and nothing lost when the broker or the cache is down."""

import pytest
from celery import Celery

from apps.core import tasks as core_tasks
from apps.core.cache import cache_add, cache_delete_many
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
    monkeypatch.setattr(core_tasks, "cache_add", lambda key, *args: asked.append(key) or True)
    first, second = CoalescedRun("tests:coalesced:a"), CoalescedRun("tests:coalesced:b")
    for run in (first, second, first, second):
        run.schedule(noop, countdown=5)
    assert asked == [first.key, second.key]

    coalesced_runs_forget()
    first.schedule(noop, countdown=5)
    second.schedule(noop, countdown=5)
    assert asked == [first.key, second.key, first.key, second.key]
