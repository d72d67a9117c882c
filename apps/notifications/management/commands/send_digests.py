"""Queue and send the weekly digest (DESIGN.md's command contract)."""

from django.core.management.base import BaseCommand

from apps.notifications.services.digests import digests_send


class Command(BaseCommand):
    help = (
        "Queue the weekly digest for every user whose digest day and time have come in their "
        "timezone (--now: everyone with the digest on), never twice for one user and week."
    )

    def add_arguments(self, parser):
        parser.add_argument("--now", action="store_true", help="do not wait for the digest time")
        parser.add_argument("--user", action="append", dest="usernames", help="only this user")

    def handle(self, *args, now=False, usernames=None, **options):
        outcome = digests_send(force=now, usernames=usernames)
        self.stdout.write(
            "send_digests: "
            + ", ".join(
                f"{key} {outcome[key]}" for key in ("queued", "already", "empty", "messages")
            )
        )
