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
