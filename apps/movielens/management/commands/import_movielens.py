"""import_movielens DIR [--ratings FILE]: load a MovieLens directory (see docs/movielens.md)."""

import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from apps.movielens.importer import movielens_import


class Command(BaseCommand):
    help = (
        "Import a MovieLens directory (movies.csv, links.csv, tags.csv, ratings.csv): movies "
        "with their ids and genres, tags, one user per userId and their ratings. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path, help="the MovieLens directory")
        parser.add_argument(
            "--ratings", type=Path, default=None, help="take the ratings from this file instead"
        )

    def handle(self, *args, directory: Path, ratings: Path | None, verbosity: int, **options):
        if not (directory / "movies.csv").is_file():
            raise CommandError(f"{directory} has no movies.csv: not a MovieLens directory.")
        if ratings is not None and not ratings.is_file():
            raise CommandError(f"The ratings file {ratings} does not exist.")

        def progress(label: str, total: int | None):
            return tqdm(
                total=total, desc=label, unit="rows", file=sys.stderr, disable=verbosity == 0
            )

        started = time.monotonic()
        report = movielens_import(directory=directory, ratings_file=ratings, progress=progress)
        if verbosity == 0:
            return
        self.stdout.write(
            f"Movies: {report.movies_created} created, {report.movies_updated} updated. "
            f"Tags: {report.tags}. Users created: {report.users_created}. "
            f"Ratings: {report.ratings} ({report.ratings_skipped} skipped). "
            f"Movies rescored: {report.movies_rescored}. "
            f"Took {time.monotonic() - started:.1f} s."
        )
        if report.users_foreign:
            self.stdout.write(
                f"Usernames already taken by other accounts, their ratings skipped: "
                f"{', '.join(report.users_foreign[:20])}"
            )
        for line in report.duplicate_links[:20] if verbosity > 1 else []:
            self.stdout.write(f"  link left unset: {line}")
        if report.duplicate_links:
            self.stdout.write(
                f"{len(report.duplicate_links)} links.csv ids were already held by another "
                "movie and left unset (run with -v 2 to list them)."
            )
