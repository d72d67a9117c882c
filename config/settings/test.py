"""Tests: the same settings as development, made fast and deterministic.

DATABASE_URL and REDIS_URL are honoured, so CI runs the suite on PostgreSQL and Redis.
"""

import os

from config.settings.base import *  # noqa: F403
from config.settings.base import REDIS_URL, REST_FRAMEWORK
from config.settings.env import cache_config, redis_url_for_worker

DEBUG = False
# make test runs the suite in one process per core (pytest-xdist): pytest-django gives each
# worker its own test database, and here each gets its own Redis database, since every test
# empties the cache.
if REDIS_URL and os.environ.get("PYTEST_XDIST_WORKER"):
    REDIS_URL = redis_url_for_worker(REDIS_URL, os.environ["PYTEST_XDIST_WORKER"])
    CACHES = cache_config(REDIS_URL)
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tasks run in-process so a test sees their effect; the broker is never contacted.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = "memory://"
# The Web Push tests run a push service on loopback.
WEBPUSH_ALLOW_LOCAL_ENDPOINTS = True
# Throttling is tested explicitly; elsewhere it must not make a test depend on its neighbours.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {
        "anon": "100000/min",
        "user": "100000/min",
        "auth": "100000/min",
        "tmdb": "100000/min",
    },
}
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
# Impressions are written by the read that served them (the tally is tested explicitly).
RECOMMENDATION_IMPRESSIONS_FLUSH_SECONDS = 0
# A token's user is read on every request (the process-local copies are tested explicitly).
AUTH_USER_CACHE_SECONDS = 0
# Recorded events are written when a test flushes them (apps.analytics.recording.activity_flush).
ANALYTICS_MEMORY_AUTOFLUSH = False
# With Redis, each event is appended at once (the per-process batches are tested explicitly).
ANALYTICS_PUSH_BATCH_MS = 0
