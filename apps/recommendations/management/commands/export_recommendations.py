from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.recommendations.engines import ENGINE_NAMES
from apps.recommendations.exporting import recommendations_export


class Command(BaseCommand):
    help = (
        "Write userId,movieId,rank for every user with interactions (MovieLens ids where the "
        "user or movie came from MovieLens, else primary keys), from the active engines."
    )

    def add_arguments(self, parser):
        parser.add_argument("--k", type=int, required=True, help="Recommendations per user.")
        parser.add_argument("--out", required=True, help="CSV file to write ('-' for stdout).")
        parser.add_argument("--engine", choices=ENGINE_NAMES, default="hybrid")

    def handle(self, *args, **options):
        k = options["k"]
        if k < 1 or k > 10_000:
            raise CommandError("--k must be between 1 and 10000.")
        report = (lambda message: self.stderr.write(message)) if options["verbosity"] else None
        if options["out"] == "-":
            users, rows = recommendations_export(
                k=k, stream=self.stdout, engine=options["engine"], report=report
            )
        else:
            target = Path(options["out"])
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("w", encoding="utf-8", newline="") as stream:
                users, rows = recommendations_export(
                    k=k, stream=stream, engine=options["engine"], report=report
                )
        self.stderr.write(f"wrote {rows} rows for {users} users")
