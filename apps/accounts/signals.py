"""Signals other apps listen to. Sent after the write has committed, through
apps.core.signals.signal_send_robust, so a failing receiver never fails the user's request.

``favorite_genres_changed``: sender is the User class; kwarg ``user_id``. Sent when a user's set
of favorite genres really changed. The recommendations app marks the user's lists stale on it.
"""

from django.dispatch import Signal

favorite_genres_changed = Signal()
