from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from apps.core.routers import replica_aliases


class Command(BaseCommand):
    help = "Migrate every configured database alias (replicas excepted: they follow the primary)."

    def add_arguments(self, parser):
        parser.add_argument("--noinput", "--no-input", action="store_false", dest="interactive")

    def handle(self, *args, **options):
        replicas = set(replica_aliases())
        for alias in settings.DATABASES:
            if alias in replicas:
                continue
            self.stdout.write(f"Migrating database '{alias}'")
            call_command(
                "migrate",
                database=alias,
                interactive=False,
                verbosity=options["verbosity"],
                stdout=self.stdout,
            )
