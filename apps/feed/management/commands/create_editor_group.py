"""create_editor_group: make (or bring back in line) the "Editors" group, and optionally put
users in it (apps/feed/editors.py says what an editor may do)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q

from apps.feed.editors import editor_group_sync


class Command(BaseCommand):
    help = (
        'Create or update the "Editors" group: curate the home page (collections, featured '
        "slots, news) and edit the catalog in the admin, nothing else. With --user, add those "
        "users to it and let them log in to the admin (is_staff)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--user", action="append", default=[], metavar="USERNAME_OR_EMAIL",
            help="add this user to the group (repeatable)",
        )  # fmt: skip

    def handle(self, *args, user, **options):
        try:
            group = editor_group_sync()
        except LookupError as exc:
            raise CommandError(f"{exc}; run migrate_all first.") from exc
        self.stdout.write(f'Group "{group.name}": {group.permissions.count()} permissions.')
        users = get_user_model().objects
        with transaction.atomic():
            for name in user:
                found = users.filter(Q(username__iexact=name) | Q(email__iexact=name)).first()
                if found is None:
                    raise CommandError(f"No user {name!r}.")
                found.groups.add(group)
                if not found.is_staff:
                    found.is_staff = True
                    found.save(update_fields=["is_staff"])
                self.stdout.write(f"{found.username} is an editor.")
