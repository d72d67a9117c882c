"""Create the activity log's monthly partitions ahead (PostgreSQL; nothing to do on SQLite)."""

from django.core.management.base import BaseCommand

from apps.analytics.partitions import is_partitioned, partitions_ensure, partitions_list


class Command(BaseCommand):
    help = "Create this month's activity log partition and the next ANALYTICS_PARTITIONS_AHEAD."

    def add_arguments(self, parser):
        parser.add_argument("--ahead", type=int, default=None, help="months after this one")

    def handle(self, *args, ahead=None, **options):
        if ahead is not None and not 0 <= ahead <= 36:
            self.stderr.write("--ahead must be 0 to 36")
            raise SystemExit(2)
        if not is_partitioned():
            self.stdout.write("The activity log is one plain table here (not PostgreSQL).")
            return
        created = partitions_ensure(ahead=ahead)
        for name in created:
            self.stdout.write(f"created {name}")
        months = [partition.name for partition in partitions_list()]
        self.stdout.write(f"{len(months)} monthly partitions: {', '.join(months)}")
