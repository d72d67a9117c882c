"""Signals other apps listen to. Sent after the write has committed.

``interaction_changed``: sender is the Interaction class; kwargs ``user_id``, ``movie_id``,
``interaction_type`` and ``action`` ("added", "updated", "removed"). The recommendations app
marks the user's recommendations stale on it. Sent through apps.core.signals.signal_send_robust,
so a failing receiver never fails the user's request.
"""

from django.dispatch import Signal

interaction_changed = Signal()
