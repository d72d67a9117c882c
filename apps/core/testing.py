"""Helpers for tests across apps."""

import pytest
from django.conf import settings

IS_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"

postgres_only = pytest.mark.skipif(
    not IS_POSTGRES,
    reason="needs PostgreSQL features: set DATABASE_URL to a PostgreSQL database to run it",
)
