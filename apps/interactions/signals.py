"""Signals other apps listen to.

``interaction_changed``: sender is the Interaction class; kwargs ``user_id``, ``movie_id``,
``interaction_type`` and ``action`` ("added", "updated", "removed"). Sent INSIDE the write's
transaction, once per changed row, after the row changed: a receiver's own writes to the
database commit or roll back with the write (the recommendations app bumps the user's change
counter and takes the movie out of their served lists there, in the write's commit), and a
receiver registers whatever must wait for the commit (cache drops, task scheduling) with
``transaction.on_commit(..., robust=True)``.

``applied_in_database`` (True or absent): the change was made on PostgreSQL by one call of a
database function (interactions migration 0007), which also called
``interaction_changed_in_database``, the database side of this signal that an app may replace
with its own statements (the recommendations app does, its migration 0006). Such a receiver
then skips its own statements; the signal comes after that call's commit, or inside the
caller's transaction, so what a receiver registers with ``on_commit`` still runs once the
change is committed. Sent robustly (apps.core.signals): a receiver that
raises is logged and the write goes on; a database error in a receiver, though, aborts the
write's transaction on PostgreSQL and so fails the write, which then leaves nothing behind
(all or nothing). Receivers keep to short statements on rows the write's user owns.
"""

from django.dispatch import Signal

interaction_changed = Signal()
