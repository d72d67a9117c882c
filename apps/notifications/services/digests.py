"""The weekly digest: the user's top recommendations with their reasons, new releases in their
favorite genres, and what is trending; sent by email (and to the inbox) once the user's digest
day and time have come in their timezone, at most once per user and ISO week (the week in the
user's timezone is in the message's key, so a second run, or two at once, write nothing)."""

from collections import Counter
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from apps.core.outbox.models import NotificationLog
from apps.notifications.kinds import WEEKLY_DIGEST
from apps.notifications.models import NotificationPreference
from apps.notifications.services import content
from apps.notifications.services.audience import batches, preferences_wanting, recipients
from apps.notifications.services.fanout import notification_queue, user_zone
from apps.recommendations.selectors import favorite_genres_of


def digest_week(preference: NotificationPreference, now: datetime) -> str:
    """The ISO week (``2026-W49``) it is now in the user's timezone."""
    iso = now.astimezone(user_zone(preference)).isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


def digest_due(preference: NotificationPreference, now: datetime) -> bool:
    """Whether this week's digest day and time have come in the user's timezone."""
    local = now.astimezone(user_zone(preference))
    monday = local.date() - timedelta(days=local.isoweekday() - 1)
    scheduled = datetime.combine(
        monday + timedelta(days=preference.digest_day - 1),
        preference.digest_time,
        tzinfo=local.tzinfo,
    )
    return local >= scheduled


def digests_send(
    *, now: datetime | None = None, force: bool = False, usernames: list[str] | None = None
) -> Counter:
    """Queue this week's digest for every user whose digest time has come (everyone with the
    digest on, if ``force``); returns counts: users ``queued``, ``already`` sent this week,
    ``empty`` (nothing to say), and ``messages`` written."""
    now = now or timezone.now()
    outcome: Counter = Counter()
    trending = None
    releases = None
    for batch in batches(preferences_wanting("weekly_digest", usernames=usernames)):
        due = [p for p in batch if force or digest_due(p, now)]
        keys = {p.user_id: f"weekly_digest:email:{p.user_id}:{digest_week(p, now)}" for p in due}
        already = set(
            NotificationLog.objects.filter(idempotency_key__in=keys.values()).values_list(
                "idempotency_key", flat=True
            )
        )
        due = [p for p in due if keys[p.user_id] not in already]
        outcome["already"] += len(keys) - len(due)
        if not due:
            continue
        if trending is None:
            trending = content.trending_items()
            releases = content.recent_releases(today=now.date())
        user_ids = [p.user_id for p in due]
        recommended = content.top_recommendations(user_ids=user_ids)
        genres = favorite_genres_of(user_ids=user_ids) if releases else {}
        for recipient in recipients(due, push=False):
            items = {
                "recommendations": [item for item, _ in recommended.get(recipient.user_id, [])],
                "new_releases": content.releases_in_genres(
                    releases, {genre_id for genre_id, _ in genres.get(recipient.user_id, [])}
                ),
                "trending": trending,
            }
            if not any(items.values()):
                outcome["empty"] += 1
                continue
            main = (items["recommendations"] or items["new_releases"] or items["trending"])[0]
            context = {**items, "url": content.movie_url(main["id"])}
            with transaction.atomic():
                written = notification_queue(
                    recipient=recipient,
                    kind=WEEKLY_DIGEST,
                    period=digest_week(recipient.preference, now),
                    context=context,
                    now=now,
                )
            outcome["messages"] += written
            outcome["queued" if written else "already"] += 1
    return outcome
