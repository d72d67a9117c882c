"""Celery queues by kind of work (imported by base.py), so each kind gets its own workers.

- ``recommendations``: per-user refreshes after an interaction, and the nightly retraining;
- ``tmdb``: TMDb list and detail sync, enrichment (bounded by TMDb's rate, slow network calls);
- ``notifications``: the outbox (apps/core/outbox: every email, push and in-app message,
  account emails included) and the digests and alerts: short, and a user may be waiting;
- ``default``: anything else (account clean-up).

Routing is by task name prefix, so a new task of an app lands in its app's queue. The
Kubernetes worker Deployments (deploy/kubernetes/worker-*.yaml) and ``make worker`` consume
these names.
"""

CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_QUEUE_NAMES = ("default", "recommendations", "tmdb", "notifications")
CELERY_TASK_ROUTES = {
    "recommendations.*": {"queue": "recommendations"},
    "tmdb.*": {"queue": "tmdb"},
    "notifications.*": {"queue": "notifications"},
}
