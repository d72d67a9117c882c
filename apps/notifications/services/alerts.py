"""Alerts: recommendation (a new recommendation scored above a threshold, at most one a day),
new release (a movie on the watchlist, or in a favorite genre with a high rating, came out) and
trending (off by default, as the seed says). Each goes to the channels the user wants it on;
push waits for the end of the user's quiet hours. Keys make each alert once: per user and local
day for recommendation and trending alerts, per user and movie for a release."""

from collections import Counter
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from apps.core.outbox.models import NotificationLog
from apps.interactions.models import Interaction
from apps.notifications.kinds import NEW_RELEASE_ALERT, RECOMMENDATION_ALERT, TRENDING_ALERT, Kind
from apps.notifications.services import content
from apps.notifications.services.audience import batches, preferences_wanting, recipients
from apps.notifications.services.fanout import notification_queue, user_zone
from apps.recommendations.selectors import favorite_genres_of

RELEASES_PER_RUN = 3


def _local_day(preference, now: datetime) -> str:
    return now.astimezone(user_zone(preference)).date().isoformat()


def _queue(recipient, kind: Kind, period: str, movie: dict, now: datetime) -> int:
    with transaction.atomic():
        return notification_queue(
            recipient=recipient,
            kind=kind,
            period=period,
            context={"movie": movie, "url": content.movie_url(movie["id"])},
            now=now,
        )


def _alerted_movies(kind: Kind, user_ids: list[int]) -> dict[int, set[int]]:
    """Movies each user was already alerted about for ``kind`` (from the inbox copies)."""
    seen: dict[int, set[int]] = {}
    for user_id, movie_id in NotificationLog.objects.filter(
        kind=kind.name, notification_type=NotificationLog.Channel.IN_APP, user_id__in=user_ids
    ).values_list("user_id", "context__movie__id"):
        if movie_id is not None:
            seen.setdefault(user_id, set()).add(int(movie_id))
    return seen


def recommendation_alerts_send(*, now: datetime, anytime: bool, usernames=None) -> Counter:
    """For each user, the best stored recommendation above the threshold that is new (made in
    the last day, unless ``anytime``) and not alerted before; at most one a day."""
    outcome: Counter = Counter()
    threshold = settings.NOTIFICATIONS_RECOMMENDATION_ALERT_MIN_SCORE
    since = None if anytime else now - timedelta(days=1)
    rows = preferences_wanting("recommendation_alerts", "push_recommendations", usernames=usernames)
    for batch in batches(rows):
        user_ids = [p.user_id for p in batch]
        best = content.top_recommendations(
            user_ids=user_ids, limit=10, min_score=threshold, since=since
        )
        seen = _alerted_movies(RECOMMENDATION_ALERT, user_ids)
        for recipient in recipients(batch, push=True):
            fresh = [
                item
                for item, _ in best.get(recipient.user_id, [])
                if item["id"] not in seen.get(recipient.user_id, set())
            ]
            if not fresh:
                continue
            day = _local_day(recipient.preference, now)
            outcome["messages"] += _queue(recipient, RECOMMENDATION_ALERT, day, fresh[0], now)
    return outcome


def _rating_enough(movie) -> bool:
    minimum = Decimal(str(settings.NOTIFICATIONS_NEW_RELEASE_MIN_RATING))
    if movie.tmdb_rating is not None and movie.tmdb_rating >= minimum:
        return True
    return movie.our_rating is not None and movie.our_rating * 2 >= minimum


def new_release_alerts_send(*, now: datetime, anytime: bool, usernames=None) -> Counter:
    """Movies released today or yesterday (the last week if ``anytime``) that are on the
    user's watchlist, or in a favorite genre with a high rating; at most RELEASES_PER_RUN per
    user and run, each movie once per user."""
    outcome: Counter = Counter()
    releases = content.recent_releases(today=now.date(), days=7 if anytime else 2)
    if not releases:
        return outcome
    by_id = {movie.pk: movie for movie in releases}
    rows = preferences_wanting("new_release_alerts", "push_new_releases", usernames=usernames)
    for batch in batches(rows):
        user_ids = [p.user_id for p in batch]
        watchlisted: dict[int, set[int]] = {}
        for user_id, movie_id in Interaction.objects.filter(
            Q(user_id__in=user_ids), interaction_type="watchlist", movie_id__in=list(by_id)
        ).values_list("user_id", "movie_id"):
            watchlisted.setdefault(user_id, set()).add(movie_id)
        genres = favorite_genres_of(user_ids=user_ids)
        for recipient in recipients(batch, push=True):
            favorite = {genre_id for genre_id, _ in genres.get(recipient.user_id, [])}
            sent = 0
            for movie in releases:
                if sent == RELEASES_PER_RUN:
                    break
                if movie.pk in watchlisted.get(recipient.user_id, set()):
                    reason = "On your watchlist"
                else:
                    names = [g.name for g in movie.genres.all() if g.pk in favorite]
                    if not names or not _rating_enough(movie):
                        continue
                    reason = f"New in {names[0]}"
                written = _queue(
                    recipient,
                    NEW_RELEASE_ALERT,
                    f"movie-{movie.pk}",
                    content.movie_item(movie, reason),
                    now,
                )
                outcome["messages"] += written
                sent += 1
    return outcome


def trending_alerts_send(*, now: datetime, anytime: bool, usernames=None) -> Counter:
    """Today's top trending movie, once a day, to users who turned trending alerts on."""
    outcome: Counter = Counter()
    top = content.trending_items(limit=1)
    if not top:
        return outcome
    rows = preferences_wanting("trending_alerts", "push_trending", usernames=usernames)
    for batch in batches(rows):
        for recipient in recipients(batch, push=True):
            day = _local_day(recipient.preference, now)
            outcome["messages"] += _queue(recipient, TRENDING_ALERT, day, top[0], now)
    return outcome


ALERTS = {
    "recommendation": recommendation_alerts_send,
    "new_release": new_release_alerts_send,
    "trending": trending_alerts_send,
}


def alerts_send(
    *, kinds=None, now: datetime | None = None, anytime: bool = False, usernames=None
) -> Counter:
    """Run the alerts of ``kinds`` (all by default); counts of messages written per kind."""
    now = now or timezone.now()
    outcome: Counter = Counter()
    for name in kinds or ALERTS:
        outcome[name] = ALERTS[name](now=now, anytime=anytime, usernames=usernames)["messages"]
    return outcome
