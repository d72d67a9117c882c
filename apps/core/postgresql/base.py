"""Django's PostgreSQL backend, with a health check that costs no round trip, and new
connections refused by a restarting server tried again.

With ``CONN_HEALTH_CHECKS`` (config/settings/env.py), Django checks a reused connection at the
first query of every request by sending ``SELECT 1`` and waiting for the answer. Behind
PgBouncer that is a whole statement's trip (client, PgBouncer, a server connection lent and
returned, PostgreSQL) before the request's own first statement: a like made eight statements
where seven did its work.

An idle connection that the other end has given up on has already said so on its socket:
PostgreSQL sends a FATAL error and closes it when a backend is terminated, PgBouncer closes its
clients when it stops, and the kernel reports a reset peer. Between two transactions a working
connection has nothing to read, since every answer was read to its end. So a connection with
nothing to read and no error in its state is taken as working, and one with something to read
is closed and replaced by the next query, as a failed ``SELECT 1`` would have done. What this
cannot see, a peer that vanished without a word, ``SELECT 1`` would only have seen after the
network's own timeout; the request then fails as it would have in the instant after a passed
``SELECT 1``. A connection in any other state (an error inside a transaction, a lost one) gets
Django's own check.

The check after an error (``close_if_unusable_or_obsolete``) keeps its ``SELECT 1``: there the
question is whether the server still answers, which only a query tells.

A new connection refused by the server (nothing listening: PgBouncer or PostgreSQL restarting)
is tried again for up to the alias's ``CONNECT_RETRY_SECONDS`` (config/settings/env.py: 2 s for
the primary, none for a replica, which the router skips instead), waiting 50 ms, then twice as
long each time up to 400 ms. So a request that starts while the pooler restarts waits for it
instead of failing (issue 16: "restarting PgBouncer costs only the requests in flight"). Any
other failure to connect (a timeout, a refused password) is raised at once, as before, and so
is a refusal past the budget: the request then fails as it would have, 2 s later.

Statements held for the commit (``hold_until_commit``; callers use
apps.core.statements.execute_with_commit). A write whose result nobody reads need not cost a
round trip of its own: inside a transaction it is held, and the held statements go to the
server together, in one simple query, with the COMMIT (or, when a cursor is made before the
commit, before that cursor's first statement). A new like was five round trips, ``BEGIN``, its
reads, its row with the counters' note, the recommendations' state bump, ``COMMIT``; it is now
three, and each trip saved is CPU in the server, in PgBouncer and in PostgreSQL (issue 16).
What the transaction does is unchanged:
- Order: every statement made through a cursor after a hold is sent after the held ones (the
  cursor is made after they are sent), so a read sees the held writes, and a ``SAVEPOINT`` or
  ``RELEASE`` comes after the writes made before it. So whatever is held was made since the
  last savepoint command, and a ``ROLLBACK TO`` drops it unsent instead.
- Failure: a held statement that fails fails the query it rides in, so the error is raised
  by the commit (or by the making of the next cursor) instead of by the call that held it,
  and the transaction rolls back whole, as Django rolls back any failed commit. Hold only
  statements whose errors the caller would not catch on the spot.
- A rollback or a closed connection drops what is held: never sent, as if rolled back.
Outside a transaction nothing is held: the caller executes the statement at once.
"""

import select
import time

import psycopg
from django.db.backends.postgresql import base
from psycopg import pq

RETRY_FIRST_DELAY = 0.05  # seconds
RETRY_MAX_DELAY = 0.4

_HEALTHY = {pq.TransactionStatus.IDLE, pq.TransactionStatus.INTRANS}


def refused(exc: psycopg.OperationalError) -> bool:
    """Whether a failure to connect says nothing listens there (libpq's words for ECONNREFUSED
    on every address it tried)."""
    return "Connection refused" in str(exc)


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._held: list[tuple[str, list]] = []  # statements held for the commit, in order

    def hold_until_commit(self, sql: str, params) -> bool:
        """Hold a statement whose result nobody reads until the commit (module doc); False,
        holding nothing, outside a transaction. ``sql`` takes ``params`` as a cursor's
        ``execute`` would (a literal % written %%)."""
        if not self.in_atomic_block:
            return False
        self._held.append((sql, list(params)))
        return True

    def create_cursor(self, name=None):
        if self._held:
            self._held_send()
        return super().create_cursor(name)

    def _held_send(self, then: str | None = None) -> None:
        """Send the held statements, and ``then`` after them, in one query through a cursor of
        this connection (its execute wrappers and query log see it as one statement)."""
        held, self._held = self._held, []
        statements = [sql for sql, _ in held] + ([then] if then else [])
        with self.cursor() as cursor:
            cursor.execute("; ".join(statements), [value for _, params in held for value in params])

    def _commit(self):
        if not self._held or self.connection is None:
            return super()._commit()
        self._held_send(then="COMMIT")
        with self.wrap_database_errors:
            # The COMMIT went with the held statements: psycopg sees the transaction ended and
            # sends nothing.
            return self.connection.commit()

    def _rollback(self):
        self._held = []
        return super()._rollback()

    def _savepoint_rollback(self, sid):
        self._held = []  # made since the savepoint (module doc): undone unsent
        return super()._savepoint_rollback(sid)

    def _close(self):
        self._held = []
        return super()._close()

    def get_new_connection(self, conn_params):
        budget = float(self.settings_dict.get("CONNECT_RETRY_SECONDS") or 0)
        deadline = time.monotonic() + budget
        delay = RETRY_FIRST_DELAY
        while True:
            try:
                return super().get_new_connection(conn_params)
            except psycopg.OperationalError as exc:
                if not refused(exc) or time.monotonic() + delay > deadline:
                    raise
            time.sleep(delay)
            delay = min(delay * 2, RETRY_MAX_DELAY)

    def close_if_health_check_failed(self) -> None:
        if self.connection is None or not self.health_check_enabled or self.health_check_done:
            return
        if not self.pool and not self.connection_alive():
            self.close()
        self.health_check_done = True

    def connection_alive(self) -> bool:
        """Whether the open connection works, told from its state and socket alone (module
        doc); Django's ``SELECT 1`` for a connection in a state where those cannot tell."""
        connection = self.connection
        if connection.closed or connection.pgconn.status != pq.ConnStatus.OK:
            return False
        if connection.pgconn.transaction_status not in _HEALTHY:
            return self.is_usable()
        try:
            readable, _, _ = select.select([connection.fileno()], [], [], 0)
        except (OSError, ValueError):  # the socket is gone
            return False
        return not readable
