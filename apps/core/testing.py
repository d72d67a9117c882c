"""Helpers for tests across apps."""

import pytest
from django.conf import settings

IS_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"

postgres_only = pytest.mark.skipif(
    not IS_POSTGRES,
    reason="needs PostgreSQL features: set DATABASE_URL to a PostgreSQL database to run it",
)

IS_REDIS = settings.CACHES["default"]["BACKEND"] == "django_redis.cache.RedisCache"

redis_only = pytest.mark.skipif(
    not IS_REDIS, reason="needs Redis: set REDIS_URL to a Redis database to run it"
)
