import json

from django.core.management.base import BaseCommand, CommandError

from apps.recommendations.engines import ENGINE_NAMES
from apps.recommendations.services import recommender_train


class Command(BaseCommand):
    help = (
        "Fit every engine on the current interactions, activate the new artifacts, and "
        "refresh the stored recommendations of every user with interactions."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--engines",
            default=",".join(ENGINE_NAMES),
            help=f"Comma-separated subset of {', '.join(ENGINE_NAMES)}.",
        )
        parser.add_argument(
            "--no-refresh", action="store_true", help="Train only; stored lists refresh lazily."
        )

    def handle(self, *args, **options):
        names = tuple(name.strip() for name in options["engines"].split(",") if name.strip())
        unknown = sorted(set(names) - set(ENGINE_NAMES))
        if unknown or not names:
            raise CommandError(f"unknown engines: {', '.join(unknown) or '(none given)'}")
        figures = recommender_train(
            engine_names=names,
            refresh=not options["no_refresh"],
            report=lambda message: self.stdout.write(message),
        )
        self.stdout.write(json.dumps(figures, sort_keys=True))
