"""Database routing: the analytics app's own database and read replicas.

- With ANALYTICS_DATABASE_URL set, the analytics app's models live in the ``analytics`` alias
  (migrated and written there), otherwise in ``default``.
- With DATABASE_REPLICA_URLS set, reads go to a replica unless they happen inside a transaction
  on the primary, or after the current request has written (read-your-writes); writes always go
  to the primary.
"""

import random
from contextvars import ContextVar

from django.conf import settings
from django.db import connections

ANALYTICS_APPS = frozenset({"analytics"})
ANALYTICS_ALIAS = "analytics"

_request_scope: ContextVar[bool] = ContextVar("db_request_scope", default=False)
_pinned_to_primary: ContextVar[bool] = ContextVar("db_pinned_to_primary", default=False)


def begin_request_scope():
    return _request_scope.set(True), _pinned_to_primary.set(False)


def end_request_scope(tokens) -> None:
    scope_token, pinned_token = tokens
    _pinned_to_primary.reset(pinned_token)
    _request_scope.reset(scope_token)


def analytics_alias() -> str:
    return ANALYTICS_ALIAS if ANALYTICS_ALIAS in settings.DATABASES else "default"


def replica_aliases() -> list[str]:
    return list(getattr(settings, "DATABASE_REPLICAS", []))


def _group(alias: str | None) -> str:
    if alias in replica_aliases():
        return "default"
    return alias or "default"


class DatabaseRouter:
    def db_for_read(self, model, **hints):
        if model._meta.app_label in ANALYTICS_APPS:
            return analytics_alias()
        replicas = replica_aliases()
        if not replicas or _pinned_to_primary.get() or connections["default"].in_atomic_block:
            return "default"
        return random.choice(replicas)  # noqa: S311 - load spreading, not security

    def db_for_write(self, model, **hints):
        if model._meta.app_label in ANALYTICS_APPS:
            return analytics_alias()
        if _request_scope.get():
            _pinned_to_primary.set(True)
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return _group(obj1._state.db) == _group(obj2._state.db)

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if db in replica_aliases():
            return False
        if app_label in ANALYTICS_APPS:
            return db == analytics_alias()
        return db == "default"
