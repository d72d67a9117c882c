"""The log handlers' redaction: the second net under issue 11 item 2 (no secret on a log line)."""

import io
import json
import logging

import pytest

from apps.core.logging import SecretRedactingFilter, redact
from config.celery import _redact_secrets_on_worker_handlers

API_KEY = "v3key-fedcba9876543210fedcba98765"


@pytest.fixture
def stdout_lines(settings):
    """The lines the configured stdout handler writes (its stream swapped for a buffer)."""
    settings.TMDB_API_KEY = API_KEY
    handler = next(
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, SecretRedactingFilter) for f in h.filters)
    )
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    yield lambda: [json.loads(line) for line in buffer.getvalue().splitlines()]
    handler.setStream(previous)


def test_the_stdout_handler_redacts_secrets_wherever_a_record_carries_them(stdout_lines):
    logger = logging.getLogger("apps.somewhere")
    url = f"https://api.themoviedb.org/3/movie/550?api_key={API_KEY}&language=en"
    try:
        raise RuntimeError(f"failed calling {url}")
    except RuntimeError:
        logger.error("calling %s", url, exc_info=True, extra={"target": url})
    logger.error("reset link https://x.test/reset?uid=7&token=ab12-cd34ef and Bearer eyJ.abc.def")

    first, second = stdout_lines()
    text = json.dumps([first, second])
    assert API_KEY not in text
    assert "ab12-cd34ef" not in text and "eyJ.abc.def" not in text
    assert (
        first["message"]
        == "calling https://api.themoviedb.org/3/movie/550?api_key=[redacted]&language=en"
    )
    assert first["target"].endswith("api_key=[redacted]&language=en")
    assert "RuntimeError: failed calling" in first["exception"]
    assert "token=[redacted]" in second["message"] and "Bearer [redacted]" in second["message"]


def test_a_secret_setting_value_is_redacted_even_outside_a_url(settings):
    settings.TMDB_API_KEY = API_KEY
    assert redact(f"key is {API_KEY}.") == "key is [redacted]."


def test_short_setting_values_are_not_hunted(settings):
    settings.TMDB_API_KEY = "x"
    assert redact("xyz") == "xyz"


def test_a_celery_worker_s_own_handlers_get_the_redaction():
    logger = logging.getLogger("test.celery.worker")
    handler = logging.StreamHandler(io.StringIO())
    logger.addHandler(handler)
    try:
        _redact_secrets_on_worker_handlers(logger=logger)
        _redact_secrets_on_worker_handlers(logger=logger)  # idempotent

        assert sum(isinstance(f, SecretRedactingFilter) for f in handler.filters) == 1
    finally:
        logger.removeHandler(handler)
