"""Fill popularity_metrics, activity_daily and performance_metrics for one day or a range."""

from datetime import UTC, date, datetime, timedelta

from django.core.management.base import BaseCommand, CommandError

from apps.analytics.aggregation import aggregate_day
from apps.analytics.recording import activity_flush
from apps.analytics.timings import timings_flush


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--date must be YYYY-MM-DD, not {value!r}") from exc


class Command(BaseCommand):
    help = "Aggregate a day's activity and request timings (default: yesterday, UTC)."

    def add_arguments(self, parser):
        parser.add_argument("--date", default=None, help="YYYY-MM-DD (default yesterday)")
        parser.add_argument("--days", type=int, default=1, help="this many days ending at --date")

    def handle(self, *args, date=None, days=1, **options):
        last = _date(date) if date else datetime.now(UTC).date() - timedelta(days=1)
        if not 1 <= days <= 366:
            raise CommandError("--days must be 1 to 366")
        activity_flush()
        timings_flush()
        for offset in range(days - 1, -1, -1):
            figures = aggregate_day(last - timedelta(days=offset))
            self.stdout.write(
                f"{figures.day}: {figures.movies} movies, {figures.activity_rows} action types, "
                f"{figures.endpoints} endpoints"
            )
