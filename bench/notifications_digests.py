"""Time of `send_digests --now` for every MovieLens user, with messages and queries per user.

Run from the project root (the figures in README.md and docs/notifications.md came from this):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/nexus_digests \\
        .venv/bin/python bench/notifications_digests.py

Steps: migrate the database named by DATABASE_URL; import ../shared/datasets/ml-latest-small
when the catalog is empty; train the recommender when no recommendation is stored (or with
--train); start a real SMTP server (aiosmtpd) on 127.0.0.1 and point Django's SMTP backend at
it; then, each round, delete the digests written by the round before and:

- queue: `send_digests --now` with tasks not run (the broker's part: the messages are written,
  nothing is sent), timed, with every SQL query counted;
- send: `outbox_flush`, which renders and sends every queued message over SMTP, timed and
  counted the same way;
- eager: `send_digests --now` with tasks run in-process after each commit (queue and send
  together, as with no broker).

As the reference, GET /health/live through Django's test client in the same process (median of
500), so the figures can be compared across machines as ratios. Prints a JSON line per round.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _configure() -> None:
    os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix="digests-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    os.environ.pop("REDIS_URL", None)  # local memory cache; tasks as each phase says
    import django

    django.setup()


def _reference_ms(client) -> float:
    for _ in range(50):
        client.get("/health/live")
    samples = []
    for _ in range(500):
        started = time.perf_counter()
        client.get("/health/live")
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


def _timed(function):
    """(result, seconds, SQL statements executed) of ``function()``."""
    from django.db import connection

    count = 0

    def counting(execute, sql, params, many, context):
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counting):
        started = time.perf_counter()
        result = function()
        seconds = time.perf_counter() - started
    return result, seconds, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--train", action="store_true", help="train even if lists are stored")
    args = parser.parse_args()
    _configure()

    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    from apps.catalog.models import Movie
    from apps.core.outbox.models import NotificationLog
    from apps.core.outbox.services import outbox_flush
    from apps.core.testing import smtp_server
    from apps.notifications.services.digests import digests_send
    from apps.recommendations.models import UserRecommendation
    from config.celery import app

    call_command("migrate_all", interactive=False, verbosity=0)
    dataset = Path(settings.SHARED_DIR) / "datasets" / "ml-latest-small"
    if not Movie.objects.exists():
        if not dataset.is_dir():
            sys.exit(f"{dataset} is missing: put MovieLens ml-latest-small there (see README)")
        call_command("import_movielens", str(dataset), verbosity=0)
    if args.train or not UserRecommendation.objects.exists():
        call_command("train_recommender", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115

    reference = _reference_ms(Client())
    with smtp_server() as (recorder, port):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        for round_number in range(1, args.rounds + 1):
            figures = {"round": round_number, "health_live_median_ms": round(reference, 3)}
            for phase in ("queue", "eager"):
                NotificationLog.objects.filter(kind="weekly_digest").delete()
                recorder.messages.clear()
                app.conf.task_always_eager = phase == "eager"
                outcome, seconds, queries = _timed(lambda: digests_send(force=True))
                users = outcome["queued"]
                figures[phase] = {
                    "users": users,
                    "messages_written": outcome["messages"],
                    "seconds": round(seconds, 2),
                    "ms_per_user": round(seconds * 1000 / max(users, 1), 2),
                    "queries": queries,
                    "queries_per_user": round(queries / max(users, 1), 2),
                    "emails_received": len(recorder.messages),
                    "ratio_per_user_to_health_live": round(
                        seconds * 1000 / max(users, 1) / reference, 1
                    ),
                }
                if phase == "queue":
                    app.conf.task_always_eager = True
                    sent, seconds, queries = _timed(outbox_flush)
                    figures["send"] = {
                        "outcomes": dict(sent),
                        "seconds": round(seconds, 2),
                        "ms_per_message": round(seconds * 1000 / max(sum(sent.values()), 1), 2),
                        "queries": queries,
                        "queries_per_message": round(queries / max(sum(sent.values()), 1), 2),
                        "emails_received": len(recorder.messages),
                    }
            print(json.dumps(figures), flush=True)


if __name__ == "__main__":
    main()
