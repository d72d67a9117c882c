import pytest
from django.test import override_settings

from config.settings.env import cache_config

pytestmark = pytest.mark.django_db


def closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_live_answers_200_in_the_envelope(api_client):
    response = api_client.get("/health/live")
    assert response.status_code == 200
    assert response.json()["data"]["status"] == "alive"


def test_ready_checks_database_cache_and_broker(api_client):
    response = api_client.get("/health/ready")
    assert response.status_code == 200
    checks = response.json()["data"]["checks"]
    assert checks["database"] == "ok"
    assert checks["cache"] == "ok"
    assert checks["broker"].startswith("ok")


def test_ready_is_503_naming_the_cache_when_redis_is_down(api_client):
    with override_settings(CACHES=cache_config(f"redis://127.0.0.1:{closed_port()}/0")):
        response = api_client.get("/health/ready")
    assert response.status_code == 503
    body = response.json()
    assert body["error"]["code"] == "dependency_unavailable"
    assert body["error"]["details"]["cache"] == "unavailable"
    assert "cache" in body["error"]["message"]


def test_ready_is_503_naming_the_broker_when_it_is_down(api_client):
    broker = f"redis://127.0.0.1:{closed_port()}/0"
    with override_settings(CELERY_TASK_ALWAYS_EAGER=False, CELERY_BROKER_URL=broker):
        response = api_client.get("/health/ready")
    assert response.status_code == 503
    assert response.json()["error"]["details"]["broker"] == "unavailable"


def test_metrics_are_served_in_prometheus_format(api_client):
    api_client.get("/health/live")
    response = api_client.get("/metrics")
    assert response.status_code == 200
    text = response.content.decode()
    assert "django_http_requests_latency_seconds_by_view_method" in text
    assert "# TYPE" in text


def _sample(text: str, name: str, **labels: str) -> float:
    """The value of the series ``name`` with exactly these labels in a Prometheus text page."""
    wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    for line in text.splitlines():
        series, _, value = line.rpartition(" ")
        if series.startswith(name + "{"):
            found = ",".join(sorted(series[len(name) + 1 : -1].split(",")))
            if found == wanted:
                return float(value)
    return 0.0


def test_each_request_is_counted_by_method_status_and_view_with_its_latency(api_client):
    def scrape() -> str:
        return api_client.get("/metrics").content.decode()

    before = scrape()
    api_client.get("/health/live")
    api_client.get("/api/v1/no-such-route/")
    after = scrape()

    def moved(name: str, **labels: str) -> float:
        return _sample(after, name, **labels) - _sample(before, name, **labels)

    # The scrape between the two snapshots is a GET too.
    assert moved("django_http_requests_total_by_method_total", method="GET") == 3
    live = {"status": "200", "view": "health-live", "method": "GET"}
    assert moved("django_http_responses_total_by_status_view_method_total", **live) == 1
    unknown = {"status": "404", "view": "apps.core.views.page_not_found", "method": "GET"}
    assert moved("django_http_responses_total_by_status_view_method_total", **unknown) == 1
    latency = {"view": "health-live", "method": "GET"}
    assert moved("django_http_requests_latency_seconds_by_view_method_count", **latency) == 1


# Issue 11.16: readiness sees an unmigrated database; 11.9: readiness cached, metrics gated.


def test_ready_is_503_naming_migrations_when_one_is_not_applied(api_client):
    from django.db import connection
    from django.db.migrations.recorder import MigrationRecorder

    MigrationRecorder(connection).migration_qs.filter(app="catalog").order_by("-id")[0].delete()
    response = api_client.get("/health/ready")
    assert response.status_code == 503
    details = response.json()["error"]["details"]
    assert details["migrations"] == "unavailable: default (1 not applied)"
    assert details["database"] == "ok"


def test_ready_reports_migrations_applied(api_client):
    response = api_client.get("/health/ready")
    assert response.status_code == 200
    assert response.json()["data"]["checks"]["migrations"] == "ok"


def test_ready_computes_its_checks_at_most_once_per_interval(api_client, monkeypatch):
    from apps.core import views

    calls = []
    real = views._check_cache
    monkeypatch.setattr(views, "_check_cache", lambda: calls.append(1) or real())
    statuses = {api_client.get("/health/ready").status_code for _ in range(20)}
    assert statuses == {200}
    assert len(calls) == 1
    views.readiness_cache.clear()
    with override_settings(HEALTH_READY_CACHE_SECONDS=0):
        for _ in range(3):
            api_client.get("/health/ready")
    assert len(calls) == 4


def test_metrics_are_refused_to_an_address_outside_the_allow_list(api_client):
    response = api_client.get("/metrics", REMOTE_ADDR="203.0.113.5")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert b"django_http" not in response.content


def test_metrics_believe_only_the_trusted_proxy(api_client):
    from rest_framework.settings import api_settings

    spoofed = {"REMOTE_ADDR": "203.0.113.5", "HTTP_X_FORWARDED_FOR": "127.0.0.1"}
    assert api_client.get("/metrics", **spoofed).status_code == 403
    behind_proxy = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.5"}
    with override_settings(REST_FRAMEWORK={**api_settings.user_settings, "NUM_PROXIES": 1}):
        assert api_client.get("/metrics", **behind_proxy).status_code == 403
    with override_settings(METRICS_ALLOWED_NETWORKS=["203.0.113.0/24"]):
        assert api_client.get("/metrics", **spoofed).status_code == 200


def test_metrics_with_a_token(api_client):
    outside = {"REMOTE_ADDR": "203.0.113.5"}
    with override_settings(METRICS_TOKEN="s3cret-scrape-token", METRICS_ALLOWED_NETWORKS=[]):
        missing = api_client.get("/metrics", **outside)
        wrong = api_client.get("/metrics", HTTP_AUTHORIZATION="Bearer nope", **outside)
        right = api_client.get(
            "/metrics", HTTP_AUTHORIZATION="Bearer s3cret-scrape-token", **outside
        )
        loopback = api_client.get("/metrics")
    assert missing.status_code == wrong.status_code == loopback.status_code == 401
    assert missing["WWW-Authenticate"].startswith("Bearer")
    assert right.status_code == 200
    assert b"django_http" in right.content
