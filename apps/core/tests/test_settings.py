"""Production settings fail fast without secrets, and pass Django's deployment checks."""

import os
import subprocess
import sys
from datetime import UTC, datetime
from unittest import mock

import pytest
from django.conf import settings
from django.core import checks

PROD_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.prod",
    "SECRET_KEY": "k" * 20 + "-production-test-key-that-is-long-enough-0123456789",
    "ALLOWED_HOSTS": "api.example.com",
    "EMAIL_URL": "smtp+tls://mailer:secret@smtp.example.com:587",
    "FRONTEND_URL": "https://movienexus.example.com/",
    "PUBLIC_URL": "https://api.movienexus.example.com",
}


def run_manage(env_changes: dict, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in PROD_ENV}
    env.update({k: v for k, v in env_changes.items() if v is not None})
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    "missing", ["SECRET_KEY", "ALLOWED_HOSTS", "EMAIL_URL", "FRONTEND_URL", "PUBLIC_URL"]
)
def test_prod_refuses_to_start_without_a_required_variable(missing):
    result = run_manage({**PROD_ENV, missing: None}, "check")
    assert result.returncode != 0
    assert missing in result.stderr


def test_prod_refuses_a_short_secret_key():
    result = run_manage({**PROD_ENV, "SECRET_KEY": "short"}, "check")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_prod_passes_the_deployment_checks_without_warnings():
    result = run_manage(PROD_ENV, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr + result.stdout


@pytest.mark.parametrize("moment", ["07:59:55", "09:00:00", "22:00:05", "00:00:00"])
def test_the_model_checks_pass_at_any_time_of_day(moment):
    # Django warns (fields.W161) about a fixed time default when its checks run within ten
    # seconds of that time of day: with the notification preferences' defaults given as time
    # values, the deployment check above failed at 08:00, 09:00 and 22:00 UTC.
    hour, minute, second = (int(part) for part in moment.split(":"))
    now = datetime(2026, 12, 1, hour, minute, second, tzinfo=UTC)
    with mock.patch("django.utils.timezone.now", return_value=now):
        problems = checks.run_checks(tags=[checks.Tags.models])
    assert problems == []


def test_prod_https_switches_can_be_turned_off_for_a_local_benchmark():
    script = (
        "from django.conf import settings as s;"
        "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " s.SECURE_HSTS_SECONDS)"
    )
    on = run_manage(PROD_ENV, "shell", "-v", "0", "-c", script)
    off = run_manage(
        {
            **PROD_ENV,
            "SECURE_SSL_REDIRECT": "false",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "SECURE_HSTS_SECONDS": "0",
        },
        "shell",
        "-v",
        "0",
        "-c",
        script,
    )
    assert on.stdout.split() == ["True", "True", "True", "31536000"]
    assert off.stdout.split() == ["False", "False", "False", "0"]


@pytest.mark.parametrize("name", ["FRONTEND_URL", "PUBLIC_URL"])
@pytest.mark.parametrize(
    "value", ["movienexus.example.com", "javascript:alert(1)", "ftp://x.example"]
)
def test_prod_refuses_a_link_root_that_is_not_an_http_url(name, value):
    result = run_manage({**PROD_ENV, name: value}, "check")
    assert result.returncode != 0
    assert name in result.stderr


def test_prod_link_roots_lose_their_trailing_slash():
    script = "from django.conf import settings as s; print(s.FRONTEND_URL, s.PUBLIC_URL)"
    result = run_manage(PROD_ENV, "shell", "-v", "0", "-c", script)
    assert result.stdout.split() == [
        "https://movienexus.example.com",
        "https://api.movienexus.example.com",
    ]


@pytest.mark.parametrize(
    ("url", "worker", "expected"),
    [
        ("redis://127.0.0.1:6379/11", "gw0", "redis://127.0.0.1:6379/11"),
        ("redis://127.0.0.1:6379/11", "gw3", "redis://127.0.0.1:6379/14"),
        ("redis://:secret@cache:6380", "gw1", "redis://:secret@cache:6380/1"),
        ("redis://127.0.0.1:6379/11", "master", "redis://127.0.0.1:6379/11"),
    ],
)
def test_each_test_worker_gets_its_own_redis_database(url, worker, expected):
    from config.settings.env import redis_url_for_worker

    assert redis_url_for_worker(url, worker) == expected


def test_a_test_worker_past_the_last_redis_database_is_refused():
    from django.core.exceptions import ImproperlyConfigured

    from config.settings.env import redis_url_for_worker

    with pytest.raises(ImproperlyConfigured, match="Redis database 16"):
        redis_url_for_worker("redis://127.0.0.1:6379/14", "gw2")
