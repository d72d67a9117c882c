"""The "Editors" group: what an editor who is not a superuser may do in the admin.

Exactly this: curate the home page (collections and their items, featured slots, news
articles) and edit the catalog (movies, shows, seasons, episodes, people, genres and what hangs
off a movie: credits, videos, genre, keyword and company links). They see TMDb's list snapshots
but cannot change them (the sync owns them). Nothing else: no users, groups, permissions,
interactions, recommendations or analytics.
"""

from django.contrib.auth.models import Group, Permission
from django.db import transaction

EDITORS_GROUP = "Editors"
ACTIONS = ("add", "change", "delete", "view")
FEED_MODELS = ("collection", "collectionitem", "featuredslot", "newsarticle")
CATALOG_MODELS = (
    "movie", "tvshow", "season", "episode", "person", "genre", "video", "moviecast",
    "moviecrew", "moviegenre", "moviekeyword", "movieproductioncompany", "movietag",
    "keyword", "productioncompany", "showgenre",
)  # fmt: skip
CATALOG_VIEW_ONLY = ("tmdblist", "tmdblistitem")


def editor_permission_codenames() -> set[tuple[str, str]]:
    """(app label, codename) of every permission an editor holds."""
    wanted = {("feed", f"{action}_{model}") for model in FEED_MODELS for action in ACTIONS}
    wanted |= {("catalog", f"{action}_{model}") for model in CATALOG_MODELS for action in ACTIONS}
    wanted |= {("catalog", f"view_{model}") for model in CATALOG_VIEW_ONLY}
    return wanted


def editor_group_sync(*, extra_codenames: set[tuple[str, str]] = frozenset()) -> Group:
    """Create or update the Editors group so it holds exactly the editor permissions
    (idempotent; a permission added by hand is removed). Raises LookupError if one is missing
    (run migrations first)."""
    wanted = editor_permission_codenames() | set(extra_codenames)
    permissions = list(
        Permission.objects.filter(
            content_type__app_label__in={app for app, _ in wanted},
        ).select_related("content_type")
    )
    chosen = [p for p in permissions if (p.content_type.app_label, p.codename) in wanted]
    missing = wanted - {(p.content_type.app_label, p.codename) for p in chosen}
    if missing:
        raise LookupError(f"missing permissions: {', '.join(sorted(c for _, c in missing))}")
    with transaction.atomic():
        group, _ = Group.objects.select_for_update().get_or_create(name=EDITORS_GROUP)
        group.permissions.set(chosen)
    return group
