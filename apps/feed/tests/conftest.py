"""The feed's tests replay TMDb like the tmdb app's (its fixtures, shared here)."""

from apps.tmdb.tests.conftest import tmdb_mock, tmdb_settings  # noqa: F401
