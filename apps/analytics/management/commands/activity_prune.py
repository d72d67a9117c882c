"""Archive the activity older than DAYS to compressed CSV and drop it."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.analytics.partitions import is_partitioned, partitions_prune


class Command(BaseCommand):
    help = (
        "Write each monthly partition of the activity log that ended more than DAYS ago to "
        "ARCHIVE_DIR/<partition>.csv.gz (CSV with a header) and drop it; on SQLite, the rows "
        "older than DAYS."
    )

    def add_arguments(self, parser):
        parser.add_argument("--older-than", type=int, required=True, metavar="DAYS")
        parser.add_argument("--archive-dir", default=None, help="default: ANALYTICS_ARCHIVE_DIR")

    def handle(self, *args, older_than, archive_dir=None, **options):
        if older_than < 1:
            raise CommandError("--older-than must be at least 1 day")
        archived = partitions_prune(
            older_than_days=older_than, archive_dir=Path(archive_dir) if archive_dir else None
        )
        what = "partitions" if is_partitioned() else "row sets"
        for item in archived:
            self.stdout.write(f"archived {item.name}: {item.rows} rows -> {item.path}")
        self.stdout.write(f"{len(archived)} {what} archived and dropped")
