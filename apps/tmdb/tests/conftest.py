"""Fixtures for replaying recorded TMDb bodies with respx (never the internet)."""

import json
from pathlib import Path

import pytest
import respx
from django.conf import settings

BASE_URL = "https://tmdb.test/3"


def fixture_path(name: str) -> Path:
    return Path(settings.SHARED_DIR) / "tmdb-fixtures" / name


def fixture_body(name: str) -> dict:
    """A recorded TMDb body; skips the test (or the module, at import) in a clone without them."""
    path = fixture_path(name)
    if not path.exists():
        pytest.skip(
            f"needs the recorded TMDb bodies in {path.parent} (../shared/tmdb-fixtures)",
            allow_module_level=True,
        )
    return json.loads(path.read_text(encoding="utf-8"))


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
