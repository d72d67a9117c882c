"""The durable outbox every outgoing message goes through (email, push, in-app).

Public API: ``outbox_add`` (write a message in the caller's transaction), ``outbox_send`` and
``outbox_flush`` (send), ``kind_renderer`` and ``channel_sender`` (what apps register),
``Rendered``, ``PermanentFailure``, ``NotificationLog``. See services.py for the guarantees.
"""
