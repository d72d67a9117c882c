"""Health probes, metrics, and the envelope for errors raised outside DRF views."""

import hmac
import ipaddress
import logging
import threading
import time
from functools import lru_cache

from django.conf import settings
from django.db import DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django_prometheus.exports import ExportToDjangoView

from apps.core.cache import cache_probe
from apps.core.context import client_ip
from apps.core.envelope import error_body, success_body
from apps.core.replicas import replica_status
from apps.core.routers import replica_aliases

logger = logging.getLogger(__name__)


@never_cache
def health_live(request):
    """The process is up and serving."""
    return JsonResponse(success_body({"status": "alive"}))


def _check_databases() -> str:
    failed = []
    replicas = set(replica_aliases())
    for alias in settings.DATABASES:
        if alias in replicas:
            continue  # a replica that fails is skipped by the router, not a reason to stop serving
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


def _replica_states() -> str:
    states = []
    for alias in replica_aliases():
        verdict = replica_status(alias)
        state = "ok" if verdict.usable else f"skipped ({verdict.reason})"
        lag = "" if verdict.lag_seconds is None else f", lag {verdict.lag_seconds:.1f} s"
        states.append(f"{alias}: {state}{lag}")
    return "; ".join(states)


# Aliases whose migrations were all found applied: code cannot gain migrations while a process
# runs, so each is checked until it passes once.
_migrated_aliases: set[str] = set()


def _check_migrations() -> str:
    """Every migration this code has is applied on each migrated database (replicas follow
    their primary). An unmigrated database answers every call 503 while a connection works,
    so readiness must see it (issue 11.16)."""
    replicas = set(replica_aliases())
    pending = []
    for alias in settings.DATABASES:
        if alias in replicas or alias in _migrated_aliases:
            continue
        try:
            executor = MigrationExecutor(connections[alias])
            plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        except DatabaseError as exc:
            logger.warning("health_migrations_unknown", extra={"alias": alias, "error": str(exc)})
            pending.append(f"{alias} (unknown)")
            continue
        if plan:
            pending.append(f"{alias} ({len(plan)} not applied)")
        else:
            _migrated_aliases.add(alias)
    return "ok" if not pending else f"unavailable: {', '.join(pending)}"


def _readiness() -> tuple[int, dict]:
    checks = {"database": _check_databases()}
    if checks["database"] == "ok":
        checks["migrations"] = _check_migrations()
    checks["cache"] = _check_cache()
    checks["broker"] = _check_broker()
    if replica_aliases():
        checks["replicas"] = _replica_states()
    failing = [name for name, state in checks.items() if state.startswith("unavailable")]
    if failing:
        message = f"Not ready: {', '.join(failing)} unavailable."
        return 503, error_body("dependency_unavailable", message, checks)
    return 200, success_body({"status": "ready", "checks": checks})


class _ReadinessCache:
    """The last readiness answer of this process, reused for HEALTH_READY_CACHE_SECONDS: the
    checks open connections to every dependency, and a public route must not let a client
    make the server do that at will (issue 11.9). One request computes; requests arriving
    meanwhile wait for it and share its answer."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._answer: tuple[float, int, dict] | None = None

    def get(self) -> tuple[int, dict]:
        with self._lock:
            now = time.monotonic()
            if self._answer is None or self._answer[0] <= now:
                status, body = _readiness()
                self._answer = (
                    time.monotonic() + settings.HEALTH_READY_CACHE_SECONDS,
                    status,
                    body,
                )
            return self._answer[1], self._answer[2]

    def clear(self) -> None:
        with self._lock:
            self._answer = None
        _migrated_aliases.clear()


readiness_cache = _ReadinessCache()


@never_cache
def health_ready(request):
    """Ready to serve: the databases (migrated), the cache and the broker answer. 503 names
    what fails. Computed at most once per HEALTH_READY_CACHE_SECONDS per process."""
    status, body = readiness_cache.get()
    return JsonResponse(body, status=status)


@lru_cache(maxsize=8)
def _networks(allowed: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(network, strict=False) for network in allowed)


def _metrics_allowed(request) -> bool:
    token = settings.METRICS_TOKEN
    if token:
        scheme, _, given = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(
            given.strip().encode(), token.encode()
        ):
            return True
    try:
        address = ipaddress.ip_address((client_ip(request.META) or "").strip())
    except ValueError:
        return False
    return any(
        address in network for network in _networks(tuple(settings.METRICS_ALLOWED_NETWORKS))
    )


@never_cache
def metrics(request):
    """Prometheus metrics, for the addresses in METRICS_ALLOWED_NETWORKS (default loopback) or
    a bearer of METRICS_TOKEN (issue 11.9: the page is 1 MB and 100 ms to build)."""
    if not _metrics_allowed(request):
        if settings.METRICS_TOKEN:
            response = JsonResponse(
                error_body("not_authenticated", "A metrics token is required."), status=401
            )
            response["WWW-Authenticate"] = 'Bearer realm="metrics"'
            return response
        return JsonResponse(error_body("permission_denied", "Not allowed."), status=403)
    return ExportToDjangoView(request)


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
