"""The production server freezes the heap (config/rsgi.py, ``freeze_heap``) when the application is
loaded and once more after its warm-up requests, so that the cyclic collector's full passes walk
only what requests leave behind (they took 127 to 143 ms over a loaded Django process and were
the p99 of every endpoint)."""

import gc

import pytest


def _answer(environ, start_response):
    start_response("200 OK", [("content-type", "text/plain")])
    return [b"ok"]


@pytest.fixture
def rsgi():
    from config import rsgi

    yield rsgi
    gc.unfreeze()  # the test process's own heap goes back to the collector


def test_the_heap_is_frozen_when_the_application_is_loaded(rsgi):
    gc.unfreeze()
    app = rsgi.DjangoRSGI(wsgi=_answer, threads=1)
    try:
        assert gc.get_freeze_count() > 0
    finally:
        app.pool.shutdown()


def test_the_heap_is_frozen_again_after_the_warm_up_requests_and_only_then(rsgi, monkeypatch):
    app = rsgi.DjangoRSGI(wsgi=_answer, threads=1)
    monkeypatch.setattr(rsgi, "FREEZE_AFTER_REQUESTS", 3)
    gc.unfreeze()
    try:
        for _ in range(2):
            assert app._call({"REQUEST_METHOD": "GET"})[0] == 200
        assert gc.get_freeze_count() == 0
        app._call({"REQUEST_METHOD": "GET"})
        frozen = gc.get_freeze_count()
        assert frozen > 0
        gc.unfreeze()
        for _ in range(5):  # once only: later requests do not freeze again
            app._call({"REQUEST_METHOD": "GET"})
        assert gc.get_freeze_count() == 0
    finally:
        app.pool.shutdown()
