"""Queue and send alerts (DESIGN.md's command contract)."""

from django.core.management.base import BaseCommand

from apps.notifications.services.alerts import ALERTS, alerts_send


class Command(BaseCommand):
    help = "Queue recommendation, new release and trending alerts for the users who want them."

    def add_arguments(self, parser):
        parser.add_argument("--kind", choices=sorted(ALERTS), action="append", dest="kinds")
        parser.add_argument(
            "--now",
            action="store_true",
            help="consider every stored recommendation and the last week's releases, not only "
            "what is new since the last run",
        )
        parser.add_argument("--user", action="append", dest="usernames", help="only this user")

    def handle(self, *args, kinds=None, now=False, usernames=None, **options):
        outcome = alerts_send(kinds=kinds, anytime=now, usernames=usernames)
        self.stdout.write(
            "send_alerts: " + ", ".join(f"{k} {v}" for k, v in sorted(outcome.items()))
        )
