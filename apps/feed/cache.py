"""Where the feed's answers are cached, and what drops them.

The home page and its sections are computed from the catalog (rankings, videos, shows,
people) and from editorial rows, so they live in the catalog's lists namespace: whatever drops
the catalog's lists (a TMDb sync, a MovieLens import, an editor's catalog change) drops them
too. The public collections and news routes live in the feed's own namespace. An editorial
save drops both (``feed_changed``), once its transaction commits.

Every entry carries today's date in its key: featured today rotates daily, and birthdays and
"coming soon" move with the date. FEED_TTL bounds how late a publish window that opens or
closes by itself (no save) shows: at most five minutes.

A logged-in user's page is cached in their own namespace (``user_page_namespace``) and counts
only while the shared page's namespace and their recommendations' are unchanged too
(apps.feed.personal); their own namespace is dropped when their watchlist or profile changes.
"""

import time

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.catalog.cache import LISTS_NAMESPACE, catalog_lists_invalidate
from apps.core.cache import namespace_invalidate, namespace_invalidate_on_commit
from apps.core.fastpath import CacheSlot

FEED_NAMESPACE = "feed:editorial"
FEED_TTL = 5 * 60


class _Today:
    """Today's date in the current time zone as an ISO string, worked out once a second: every
    request of the home page keys its cache entry with it, and converting the time to the
    local date costs more than the rest of finding the entry."""

    def __init__(self) -> None:
        self._value: tuple[float, str, str] | None = None  # (until, time zone, date)

    def __call__(self) -> str:
        now = time.monotonic()
        zone = settings.TIME_ZONE
        value = self._value
        if value is not None and now < value[0] and value[1] == zone:
            return value[2]
        date = timezone.localdate().isoformat()
        self._value = (now + 1.0, zone, date)
        return date


today_key = _Today()


def home_slot() -> CacheSlot:
    return CacheSlot(LISTS_NAMESPACE, ("feed_home", today_key()), FEED_TTL)


def section_slot(key: str, page: int, per_page: int) -> CacheSlot:
    return CacheSlot(LISTS_NAMESPACE, ("feed_section", key, today_key(), page, per_page), FEED_TTL)


def section_items_parts(key: str) -> tuple:
    return ("feed_section_items", key, today_key())


def editorial_slot(*parts) -> CacheSlot:
    return CacheSlot(FEED_NAMESPACE, (*parts, today_key()), FEED_TTL)


def user_page_namespace(user_id: int) -> str:
    """A logged-in user's cached home page (apps.feed.personal): dropped when what only it
    depends on changes (their watchlist, their profile's country; apps.feed.receivers)."""
    return f"feed:user:{user_id}"


def user_page_invalidate_on_commit(user_id: int) -> None:
    """Drop the user's cached home page once the current transaction commits (at once outside
    one): a page recomputed before the commit, from the old rows, is born stale."""
    namespace_invalidate_on_commit(user_page_namespace(user_id))


def feed_invalidate() -> None:
    namespace_invalidate(FEED_NAMESPACE)
    catalog_lists_invalidate()


def feed_changed() -> None:
    """After the current transaction commits (at once outside one): drop every cached home
    page, section and editorial answer."""
    transaction.on_commit(feed_invalidate)
