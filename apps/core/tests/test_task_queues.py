"""Each kind of background work is routed to its own queue (config/settings/queues.py), and
every queue has a consumer in the Kubernetes manifests and in `make worker`."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from config.celery import app

ROOT = Path(settings.BASE_DIR)


def queue_of(task_name: str) -> str:
    route = app.amqp.router.route({}, task_name)
    return route["queue"].name


@pytest.mark.parametrize(
    ("task_name", "queue"),
    [
        ("recommendations.refresh_user", "recommendations"),
        ("recommendations.train", "recommendations"),
        ("tmdb.list_sync", "tmdb"),
        ("tmdb.movies_enrich", "tmdb"),
        ("notifications.outbox_send", "notifications"),
        ("notifications.outbox_flush", "notifications"),
        ("accounts.user_activity_anonymise", "default"),
        ("interactions.counters_fold", "default"),
    ],
)
def test_tasks_are_routed_to_the_queue_of_their_kind(task_name, queue):
    assert queue_of(task_name) == queue


def test_every_registered_task_lands_in_a_known_queue():
    app.loader.import_default_modules()
    names = [name for name in app.tasks if not name.startswith("celery.")]
    assert names
    for name in names:
        assert queue_of(name) in settings.CELERY_QUEUE_NAMES, name


def test_every_task_can_be_sent_with_its_time_limits():
    """Celery refuses to send a task whose soft limit (its own, else the settings') exceeds
    its hard limit; eager tests never send one, so a broker would be the first to say."""
    app.loader.import_default_modules()
    for name, task in app.tasks.items():
        if name.startswith("celery."):
            continue
        hard = task.time_limit or app.conf.task_time_limit
        soft = task.soft_time_limit or app.conf.task_soft_time_limit
        assert not (hard and soft and soft > hard), name


def test_every_queue_has_a_worker_in_the_manifests_and_in_make_worker():
    consumed = set()
    for manifest in (ROOT / "deploy" / "kubernetes").glob("worker-*.yaml"):
        for match in re.finditer(r'"--queues",\s*"([^"]+)"', manifest.read_text()):
            consumed.update(match.group(1).split(","))
    assert consumed == set(settings.CELERY_QUEUE_NAMES)
    make_queues = re.search(r"^CELERY_QUEUES \?= (.+)$", (ROOT / "Makefile").read_text(), re.M)
    assert set(make_queues.group(1).split(",")) == set(settings.CELERY_QUEUE_NAMES)
