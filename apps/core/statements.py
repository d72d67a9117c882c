"""Statements whose result nobody reads, sent with the transaction's commit where the database
allows it (apps.core.postgresql.base: held, then sent in one round trip with ``COMMIT``)."""

from collections.abc import Sequence

from django.db import DEFAULT_DB_ALIAS, connections


def execute_with_commit(sql: str, params: Sequence, *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Execute ``sql`` with ``params`` in the current transaction: on PostgreSQL inside one,
    held and sent with the commit (or before the transaction's next cursor); otherwise at once.

    For writes whose errors only fail the transaction: a held statement's error is raised by
    the commit, which then rolls the whole transaction back, not by this call."""
    connection = connections[using]
    hold = getattr(connection, "hold_until_commit", None)
    if hold is None or not hold(sql, params):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
