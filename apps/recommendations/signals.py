"""Signals recommendations sends for the layers above it (analytics listens, never imported).

``recommendations_served``: a user was shown a list of ``me/recommendations/``, sent on every
answer (cached or not) after it is built, with ``user_id``, ``engine``, ``experiment`` and
``arm`` (names, "" outside any experiment) and ``count`` (items shown). Sent with
``send_robust``: a failing receiver is logged and never fails the request.
"""

from django.dispatch import Signal

recommendations_served = Signal()
