"""Health probes, metrics, and the envelope for errors raised outside DRF views."""

import logging

from django.conf import settings
from django.db import connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django_prometheus.exports import ExportToDjangoView

from apps.core.cache import cache_probe
from apps.core.envelope import error_body, success_body
from apps.core.routers import replica_aliases

logger = logging.getLogger(__name__)


@never_cache
def health_live(request):
    """The process is up and serving."""
    return JsonResponse(success_body({"status": "alive"}))


def _check_databases() -> str:
    failed = []
    for alias in settings.DATABASES:
        try:
            with connections[alias].cursor() as cursor:
                cursor.execute("SELECT 1")
        except Exception as exc:  # noqa: BLE001
            logger.warning("health_database_failed", extra={"alias": alias, "error": str(exc)})
            failed.append(alias)
    return "ok" if not failed else f"unavailable: {', '.join(failed)}"


def _check_cache() -> str:
    return "ok" if cache_probe() else "unavailable"


def _check_broker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "ok (eager: tasks run in-process)"
    from kombu import Connection

    try:
        with Connection(
            settings.CELERY_BROKER_URL,
            connect_timeout=1,
            transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS,
        ) as connection:
            connection.ensure_connection(max_retries=1, interval_start=0, interval_step=0)
    except Exception as exc:  # noqa: BLE001
        logger.warning("health_broker_failed", extra={"error": str(exc)})
        return "unavailable"
    return "ok"


@never_cache
def health_ready(request):
    """Ready to serve: the databases, the cache and the broker answer. 503 names what fails."""
    checks = {"database": _check_databases(), "cache": _check_cache(), "broker": _check_broker()}
    if replica_aliases():
        checks["replicas"] = ", ".join(replica_aliases())
    failing = [name for name, state in checks.items() if state.startswith("unavailable")]
    if failing:
        body = error_body(
            "dependency_unavailable", f"Not ready: {', '.join(failing)} unavailable.", checks
        )
        return JsonResponse(body, status=503)
    return JsonResponse(success_body({"status": "ready", "checks": checks}))


metrics = ExportToDjangoView


def bad_request(request, exception=None):
    return JsonResponse(error_body("bad_request", "The request was malformed."), status=400)


def permission_denied(request, exception=None):
    return JsonResponse(error_body("permission_denied", "Not allowed."), status=403)


def page_not_found(request, exception=None):
    message = "Not found."
    if not request.path.endswith("/"):
        message = f"Not found. API paths end with a slash: try {request.path}/"
    return JsonResponse(error_body("not_found", message), status=404)


def server_error(request):
    return JsonResponse(
        error_body("server_error", "An unexpected error occurred; quote the request id."),
        status=500,
    )
