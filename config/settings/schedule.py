"""celery beat schedule (imported by base.py). Each app adds its periodic tasks here."""

from celery.schedules import crontab

from config.settings.env import env_int

CELERY_BEAT_SCHEDULE: dict = {}

# TMDb sync (apps/tmdb/tasks.py). Periods follow the seed's cache TTLs: trending 30 min,
# popular 1 h; slower-moving lists every 6 h; enrichment works through MovieLens movies in
# batches of TMDB_ENRICH_BATCH_SIZE. Every task returns at once when TMDb is unconfigured.
CELERY_BEAT_SCHEDULE.update(
    {
        "tmdb-trending-day": {
            "task": "tmdb.list_sync",
            "schedule": 30 * 60,
            "args": ["movie_trending_day"],
        },
        "tmdb-hourly-lists": {
            "task": "tmdb.lists_sync",
            "schedule": 60 * 60,
            "args": [["movie_popular", "movie_trending_week", "movie_now_playing"]],
        },
        "tmdb-slow-lists": {
            "task": "tmdb.lists_sync",
            "schedule": 6 * 60 * 60,
            "args": [["movie_top_rated", "movie_upcoming", "tv_popular", "tv_top_rated"]],
        },
        "tmdb-genres-and-configuration": {"task": "tmdb.genres_sync", "schedule": 24 * 60 * 60},
        "tmdb-enrich": {"task": "tmdb.movies_enrich", "schedule": 10 * 60},
        # Shows airing get their new episodes; shows never synced get their seasons.
        "tmdb-shows": {"task": "tmdb.shows_sync", "schedule": 6 * 60 * 60},
        "tmdb-people": {"task": "tmdb.people_sync", "schedule": 24 * 60 * 60},
    }
)

# Recommendations (apps/recommendations/tasks.py): full retraining nightly at 03:30 UTC; the
# per-user fold-in refresh runs on every interaction change, so this only refits the models.
CELERY_BEAT_SCHEDULE["recommendations-train-nightly"] = {
    "task": "recommendations.train",
    "schedule": crontab(hour=3, minute=30),
}
# The refreshes an interaction change made due are drained by a task the change schedules; this
# picks up those whose drain was lost (a broker restart) within a minute.
CELERY_BEAT_SCHEDULE["recommendations-refresh-drain"] = {
    "task": "recommendations.refresh_drain",
    "schedule": 60,
}

# The notification outbox (apps/core/outbox): whatever a lost task or an outage left pending,
# and retries further away than a delayed task should wait, are sent by this every minute.
CELERY_BEAT_SCHEDULE["notifications-outbox-flush"] = {
    "task": "notifications.outbox_flush",
    "schedule": 60,
}

# Notifications (apps/notifications/tasks.py): the digest is due at each user's own day and time,
# so the run every 15 minutes finds who is due (each user once a week, by the message key);
# alerts hourly (recommendation alerts at most once a day per user, by key).
CELERY_BEAT_SCHEDULE["notifications-digests"] = {
    "task": "notifications.digests_send",
    "schedule": 15 * 60,
}
CELERY_BEAT_SCHEDULE["notifications-alerts"] = {
    "task": "notifications.alerts_send",
    "schedule": 60 * 60,
}

# Analytics (apps/analytics/tasks.py): recorded events written in batches every few seconds
# (ANALYTICS_FLUSH_SECONDS).
CELERY_BEAT_SCHEDULE["analytics-activity-flush"] = {
    "task": "analytics.activity_flush",
    "schedule": float(env_int("ANALYTICS_FLUSH_SECONDS", 5)),
}
CELERY_BEAT_SCHEDULE["analytics-activity-partitions"] = {
    "task": "analytics.activity_partitions",
    "schedule": crontab(hour=0, minute=5),
}
CELERY_BEAT_SCHEDULE["analytics-aggregate-metrics"] = {
    "task": "analytics.aggregate_metrics",
    "schedule": crontab(hour=0, minute=20),
}
