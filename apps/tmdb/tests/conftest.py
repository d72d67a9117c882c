"""Fixtures for replaying recorded TMDb bodies with respx (never the internet)."""

import json

import pytest
import respx

from apps.core.testing import shared_tmdb_fixture

BASE_URL = "https://tmdb.test/3"


def fixture_body(name: str) -> dict:
    """A recorded TMDb body; skips the calling test in a clone without them (call it inside a
    test, never at import: a bare clone must collect every module)."""
    return json.loads(shared_tmdb_fixture(name).read_text(encoding="utf-8"))


@pytest.fixture
def tmdb_settings(settings):
    """TMDb configured against a fake host, with fast retries and a small breaker."""
    settings.TMDB_API_KEY = "test-key"
    settings.TMDB_READ_TOKEN = ""
    settings.TMDB_ENABLED = True
    settings.TMDB_BASE_URL = BASE_URL
    settings.TMDB_MAX_RETRIES = 2
    settings.TMDB_BREAKER_THRESHOLD = 3
    settings.TMDB_BREAKER_COOLDOWN = 30.0
    settings.TMDB_MAX_RETRY_AFTER = 5.0
    return settings


@pytest.fixture
def tmdb_mock(tmdb_settings):
    with respx.mock(base_url=BASE_URL, assert_all_called=False) as mock:
        yield mock


@pytest.fixture
def no_sleep(monkeypatch):
    """Records the waits the client would have slept instead of sleeping."""
    waits: list[float] = []
    monkeypatch.setattr("apps.tmdb.client._sleep", waits.append)
    return waits
