"""evaluate_recommender DIR: temporal hold-out evaluation of every engine on MovieLens."""

import json
import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.recommendations.evaluation.report import run_evaluation


class Command(BaseCommand):
    help = (
        "Hold out each user's latest 20% of positives (rating >= 3.5) in a MovieLens directory, "
        "tune on a validation split carved from the training part, and print NDCG@10, "
        "Recall@20, HitRate@10 and coverage for each engine and the baselines."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", help="MovieLens directory (ml-latest-small format)")
        parser.add_argument("--fraction", type=float, default=0.2, help="held-out share")
        parser.add_argument("--params-out", help="write the tuned parameters to this JSON file")
        parser.add_argument("--quiet", action="store_true", help="no tuning progress")

    def handle(self, *args, directory, fraction, params_out, quiet, **options):
        path = Path(directory)
        if not (path / "ratings.csv").is_file() or not (path / "movies.csv").is_file():
            raise CommandError(f"{path} has no ratings.csv and movies.csv")
        if not 0 < fraction < 1:
            raise CommandError("--fraction must be between 0 and 1")

        def log(message: str) -> None:
            if not quiet:
                print(message, file=sys.stderr, flush=True)

        started = time.perf_counter()
        report = run_evaluation(path, fraction=fraction, log=log)
        elapsed = time.perf_counter() - started
        write = self.stdout.write
        write(
            f"Temporal hold-out on {path}: latest {fraction:.0%} of each user's positives "
            f"(rating >= 3.5) held out; {report.users_test} test users, "
            f"{report.users_validation} validation users."
        )
        write(report.table())
        write("")
        for text, passed in report.checks():
            write(f"{'PASS' if passed else 'FAIL'}  {text}")
        write("")
        write("Tuned on validation: " + json.dumps(report.tuned.params, sort_keys=True))
        fits = ", ".join(f"{n} {s:.1f}s" for n, s in report.full_training_seconds.items())
        total = sum(report.full_training_seconds.values())
        cpu = sum(report.full_training_cpu_seconds.values())
        write(f"Training on all ratings (wall): {fits}; total {total:.1f}s wall, {cpu:.1f}s CPU")
        write(f"Whole evaluation: {elapsed:.0f}s")
        if params_out:
            Path(params_out).write_text(json.dumps(report.tuned.params, indent=2, sort_keys=True))
