"""Notifications (imported by base.py): push credentials, and what is worth an alert.

VAPID keys sign Web Push requests (RFC 8292): ``VAPID_PRIVATE_KEY`` is the base64url raw key
or a PEM (``vapid --gen`` from py-vapid makes a pair), ``VAPID_PUBLIC_KEY`` is what the web
front end subscribes with, ``VAPID_SUBJECT`` a ``mailto:`` or https contact. Unset: web push is
off and email still works. ``FCM_CREDENTIALS_FILE`` is a Firebase service account JSON file;
unset, Android and iOS push is off.
"""

from config.settings.env import env_float, env_str

VAPID_PRIVATE_KEY = env_str("VAPID_PRIVATE_KEY", "")
VAPID_PUBLIC_KEY = env_str("VAPID_PUBLIC_KEY", "")
VAPID_SUBJECT = env_str("VAPID_SUBJECT", "")
FCM_CREDENTIALS_FILE = env_str("FCM_CREDENTIALS_FILE", "")
# Only tests register Web Push endpoints on loopback over plain http.
WEBPUSH_ALLOW_LOCAL_ENDPOINTS = False

# A stored recommendation scored at least this is worth an alert (scores are in [0, 1]).
NOTIFICATIONS_RECOMMENDATION_ALERT_MIN_SCORE = env_float(
    "NOTIFICATIONS_RECOMMENDATION_ALERT_MIN_SCORE", 0.5
)
# A new release is worth an alert when the movie has at least this rating (TMDb's 0-10 scale,
# or ours, 0.5-5, doubled) and is on the user's watchlist or in a favorite genre.
NOTIFICATIONS_NEW_RELEASE_MIN_RATING = env_float("NOTIFICATIONS_NEW_RELEASE_MIN_RATING", 7.0)
