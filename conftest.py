"""The one conftest: shared fixtures. Each app's factories live in apps/<app>/tests/factories.py."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from apps.accounts.authentication import recent_tokens
from apps.analytics.buffer import buffers_clear
from apps.analytics.timings import histograms
from apps.core.fastpath import local_copies, local_counts
from apps.core.logging import log_once_registry
from apps.core.tasks import broker_backoff_reset
from apps.core.views import readiness_cache


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A failing test marked ``performance`` says so in its report: the answer may be right,
    its cost (round trips, queries, threads) is what regressed."""
    report = yield
    if report.failed and item.get_closest_marker("performance"):
        report.sections.append(
            ("performance", "PERFORMANCE REGRESSION: this test pins a cost, not an answer.")
        )
    return report


@pytest.fixture(autouse=True)
def _isolated_cache():
    """Every test starts with an empty cache (local memory or the test Redis database), no
    process-local copies of cached answers, no process-local throttle counts, no recorded
    activity waiting to be written and no remembered readiness answer."""
    cache.clear()
    buffers_clear()
    histograms.clear()
    local_copies.clear()
    local_counts.clear()
    recent_tokens.clear()
    log_once_registry.reset()
    broker_backoff_reset()
    readiness_cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def user(db):
    from apps.accounts.tests.factories import UserFactory

    return UserFactory()


@pytest.fixture
def other_user(db):
    from apps.accounts.tests.factories import UserFactory

    return UserFactory()


def client_for(user) -> APIClient:
    """An API client that sends a real JWT access token for ``user``."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    return client


@pytest.fixture
def auth_client(user) -> APIClient:
    return client_for(user)


@pytest.fixture
def other_client(other_user) -> APIClient:
    return client_for(other_user)


@pytest.fixture
def smtp(settings):
    """A real SMTP server (aiosmtpd) that Django's SMTP backend sends to; yields the recorder,
    whose ``messages`` are the parsed emails received."""
    from apps.core.testing import smtp_server

    with smtp_server() as (recorder, port):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_TIMEOUT = 10
        yield recorder
