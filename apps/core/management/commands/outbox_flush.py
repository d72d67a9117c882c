"""Send what is due and still pending in the notification outbox (beat runs it every minute)."""

from django.core.management.base import BaseCommand

from apps.core.outbox.services import outbox_flush


class Command(BaseCommand):
    help = "Send every due, pending message of the notification outbox."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=None, help="stop after this many")

    def handle(self, *args, limit=None, **options):
        outcomes = outbox_flush(limit=limit)
        summary = ", ".join(f"{status} {count}" for status, count in sorted(outcomes.items()))
        self.stdout.write(f"outbox_flush: {summary or 'nothing due'}")
