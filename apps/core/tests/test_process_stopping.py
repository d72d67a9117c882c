"""The processes that end without atexit send ``process_stopping`` themselves, so what a
listener holds in memory (analytics' pending events) is sent before they go."""

import gc

from apps.core.signals import process_stopping
from config import rsgi
from config.celery import _send_what_is_held


def test_a_server_worker_and_a_celery_pool_process_send_process_stopping_as_they_end():
    seen = []

    def listener(sender, **kwargs):
        seen.append(sender)

    process_stopping.connect(listener, weak=False, dispatch_uid="test_process_stopping")
    try:
        app = rsgi.DjangoRSGI(wsgi=lambda environ, start_response: [], threads=1)
        gc.unfreeze()  # the test process's own heap goes back to the collector
        app.__rsgi_del__(None)
        assert len(seen) == 1
        _send_what_is_held()  # connected to Celery's worker_process_shutdown
        assert len(seen) == 2
    finally:
        process_stopping.disconnect(dispatch_uid="test_process_stopping")
