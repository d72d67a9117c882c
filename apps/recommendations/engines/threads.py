"""BLAS threads pinned while engines fit and score.

A multi-threaded BLAS on a shared machine multiplies the fit time when other processes hold the
cores (the EASE inverse once went from 1.5 s to 23 s under a load of 12): its threads wait for
each other at every step. One thread gives the same numbers and a time that depends on this
process's own work only. ``RECOMMENDER_BLAS_THREADS`` raises the count on a machine of one's own.
"""

from __future__ import annotations

import os
from contextlib import contextmanager

from threadpoolctl import threadpool_limits


def blas_thread_count() -> int:
    try:
        return max(1, int(os.environ.get("RECOMMENDER_BLAS_THREADS", "1")))
    except ValueError:
        return 1


@contextmanager
def blas_threads_pinned():
    """Hold BLAS (and OpenMP) pools to ``blas_thread_count()`` threads inside the block."""
    with threadpool_limits(limits=blas_thread_count()):
        yield
