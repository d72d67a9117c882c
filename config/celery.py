"""The Celery application. Tasks are thin wrappers over services (see each app's tasks.py)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = Celery("movie_nexus")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
