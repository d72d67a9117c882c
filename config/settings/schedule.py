"""celery beat schedule (imported by base.py). Each app adds its periodic tasks here."""

CELERY_BEAT_SCHEDULE: dict = {}
