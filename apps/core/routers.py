"""Database routing: the analytics app's own database and read replicas.

- With ANALYTICS_DATABASE_URL set, the analytics app's models live in the ``analytics`` alias
  (migrated and written there), otherwise in ``default``.
- With DATABASE_REPLICA_URLS set, reads go to a healthy replica, except:
  - inside a transaction on the primary;
  - in a request with an unsafe method (POST, PUT, PATCH, DELETE): it reads what it validates
    against from the primary;
  - after the current request has written (read-your-writes within the request), and in a
    management command or a Celery worker thread once it has written anything. Writes through
    the ORM are seen by ``db_for_write``; statements sent on the primary's cursor directly (the
    interaction writes are plain SQL) by ``install_write_watch``;
  - for a user who wrote in the last DATABASE_READ_YOUR_WRITES_SECONDS (read-your-writes across
    requests): a request that wrote leaves a short-lived marker per user in the cache, and the
    authentication checks it before it reads the user (``request_user_bind``). The markers go
    with the first commit of the request that drops cached entries, in the same cache round
    trip as the invalidations (apps.core.cache ``commit_keys_provide``), and any user not
    marked by then is marked when the request ends.
- A replica that is down or lags more than DATABASE_REPLICA_MAX_LAG_SECONDS is skipped; the
  verdict is computed at most once per DATABASE_REPLICA_CHECK_SECONDS per process
  (``apps.core.replicas``), and a connection error on a replica marks it down at once.
Writes always go to the primary.
"""

import random
from contextvars import ContextVar

from django.conf import settings
from django.db import connections

from apps.core import replicas
from apps.core.cache import commit_keys_provide

ANALYTICS_APPS = frozenset({"analytics"})
ANALYTICS_ALIAS = "analytics"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_request_scope: ContextVar[bool] = ContextVar("db_request_scope", default=False)
_pinned_to_primary: ContextVar[bool] = ContextVar("db_pinned_to_primary", default=False)
# Users whose rows this request wrote: they read from the primary for a few seconds after it.
_written_users: ContextVar[set | None] = ContextVar("db_written_users", default=None)
# The request's user id, as a callable (None: not known yet), and the users already marked.
_request_user: ContextVar = ContextVar("db_request_user", default=None)
_marked_users: ContextVar[set | None] = ContextVar("db_marked_users", default=None)


def begin_request_scope(method: str = "GET", *, user=None):
    """Open a request's routing scope; an unsafe method reads from the primary throughout.
    ``user`` is a callable that returns the request's user id or None, called only once the
    request has written."""
    return (
        _request_scope.set(True),
        _pinned_to_primary.set(method.upper() not in SAFE_METHODS),
        _written_users.set(None),
        _request_user.set(user),
        _marked_users.set(set()),
    )


def end_request_scope(tokens) -> None:
    """Close the scope; if the request wrote, mark its user (and every user whose rows it
    wrote) as reading from the primary for the next few seconds, unless a commit of the
    request marked them already (``_commit_marks``)."""
    scope_token, pinned_token, written_token, user_token, marked_token = tokens
    try:
        replicas.recent_writers_mark(_marks_due())
    finally:
        _marked_users.reset(marked_token)
        _request_user.reset(user_token)
        _written_users.reset(written_token)
        _pinned_to_primary.reset(pinned_token)
        _request_scope.reset(scope_token)


def _marks_due() -> set:
    """The users this request wrote for (its own user included) not marked yet, now counted
    as marked; empty outside a request, before it wrote, or without replicas."""
    written, marked = _written_users.get(), _marked_users.get()
    if written is None or marked is None or not replica_aliases():
        return set()
    user = _request_user.get()
    user_id = user() if user is not None else None
    due = written | {user_id} if user_id is not None else set(written)
    due -= marked
    marked |= due
    return due


def _commit_marks() -> dict:
    """apps.core.cache ``commit_keys_provide``: the marks this request owes, sent by the commit
    with its invalidations (one cache round trip for both, not one each). A user marked at a
    commit is not marked again when the request ends; the mark's lifetime then counts from
    the commit, a moment earlier."""
    return replicas.recent_writer_marks(_marks_due())


commit_keys_provide(_commit_marks)


def request_read_primary() -> None:
    """The rest of the current request (or thread) reads from the primary."""
    _pinned_to_primary.set(True)


def request_user_bind(user_id, *, marked: bool | None = None) -> None:
    """The request acts for ``user_id``: if that user wrote a moment ago, read from the primary.

    Called by the authentication before it reads the user, so a token revoked or a password
    changed a moment ago is checked against the primary, not a replica that has not seen it.
    ``marked``: whether the user's recent-writer mark was found, when the caller read it
    with its own keys (``request_user_bind_key``); None reads it here.
    """
    if request_user_bind_key(user_id) is None:
        return
    if marked if marked is not None else replicas.recent_writer(user_id):
        _pinned_to_primary.set(True)


def request_user_bind_key(user_id) -> str | None:
    """The cache key ``request_user_bind`` would read for ``user_id`` in this request, or None
    when it would read nothing (outside a request, already on the primary, no replicas)."""
    if not _request_scope.get() or _pinned_to_primary.get() or not replica_aliases():
        return None
    return replicas.recent_writer_key(user_id)


def analytics_alias() -> str:
    return ANALYTICS_ALIAS if ANALYTICS_ALIAS in settings.DATABASES else "default"


def replica_aliases() -> list[str]:
    return list(getattr(settings, "DATABASE_REPLICAS", []))


def _group(alias: str | None) -> str:
    if alias in replica_aliases():
        return "default"
    return alias or "default"


def _request_wrote() -> None:
    """The request (or thread) wrote on the primary: it reads the primary from now on, and at
    its end its user is marked as a recent writer."""
    _pinned_to_primary.set(True)
    if _request_scope.get() and _written_users.get() is None:
        _written_users.set(set())


def primary_written() -> None:
    """A statement that ``install_write_watch`` cannot tell from a read wrote on the primary (a
    ``SELECT`` of a database function that writes): the request reads the primary from now on
    and marks its user a recent writer, as after any write."""
    _request_wrote()


# The first words of statements that write (a data-modifying WITH included: counting a
# read-only WITH as a write only sends a few more reads to the primary).
_WRITING = ("INSERT", "UPDATE", "DELETE", "WITH", "MERGE", "COPY")


def _watch_writes(execute, sql, params, many, context):
    # Read only until the request or thread is known to have written.
    undecided = not _pinned_to_primary.get() or (
        _request_scope.get() and _written_users.get() is None
    )
    if undecided and sql.lstrip()[:6].upper().startswith(_WRITING):
        _request_wrote()
    return execute(sql, params, many, context)


def install_write_watch(sender, connection, **kwargs) -> None:
    """``connection_created`` receiver: a statement that may write, sent on the primary's
    cursor without the ORM (which asks ``db_for_write``), counts as the request's write, so
    read-your-writes covers it too. Installed once per connection object (the signal fires
    again on every reconnection)."""
    if connection.alias == "default" and _watch_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(_watch_writes)


def _note_written_user(model, instance) -> None:
    if instance is None:
        return
    if model._meta.label == settings.AUTH_USER_MODEL:
        user_id = instance.pk
    else:
        user_id = getattr(instance, "user_id", None)
    if user_id is not None:
        written = _written_users.get()
        if written is None:
            written = set()
            _written_users.set(written)
        written.add(user_id)


class DatabaseRouter:
    def db_for_read(self, model, **hints):
        if model._meta.app_label in ANALYTICS_APPS:
            return analytics_alias()
        aliases = replica_aliases()
        if not aliases or _pinned_to_primary.get() or connections["default"].in_atomic_block:
            return "default"
        usable = [alias for alias in aliases if replicas.replica_usable(alias)]
        if not usable:
            return "default"
        return random.choice(usable)  # noqa: S311 - load spreading, not security

    def db_for_write(self, model, **hints):
        if model._meta.app_label in ANALYTICS_APPS:
            return analytics_alias()
        # Whoever wrote reads the primary from then on: a request until it ends, a command or
        # a task's thread for good (train_recommender reads back the states it just wrote).
        _request_wrote()
        if _request_scope.get():
            _note_written_user(model, hints.get("instance"))
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return _group(obj1._state.db) == _group(obj2._state.db)

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if db in replica_aliases():
            return False
        if app_label in ANALYTICS_APPS:
            return db == analytics_alias()
        return db == "default"
