"""Signals other apps listen to.

``interaction_changed``: sender is the Interaction class; kwargs ``user_id``, ``movie_id``,
``interaction_type`` and ``action`` ("added", "updated", "removed"). Sent INSIDE the write's
transaction, once per changed row, after the row changed: a receiver's own writes to the
database commit or roll back with the write (the recommendations app bumps the user's change
counter and takes the movie out of their served lists there, in the write's commit), and a
receiver registers whatever must wait for the commit (cache drops, task scheduling) with
``transaction.on_commit(..., robust=True)``. Sent robustly (apps.core.signals): a receiver that
raises is logged and the write goes on; a database error in a receiver, though, aborts the
write's transaction on PostgreSQL and so fails the write, which then leaves nothing behind
(all or nothing). Receivers keep to short statements on rows the write's user owns.
"""

from django.dispatch import Signal

interaction_changed = Signal()
