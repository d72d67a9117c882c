"""JWT authentication that also refuses tokens issued before the last password change, and
access tokens of a session that logged out.

Where the user's row comes from. A process keeps a copy of each user who authenticated in the
last AUTH_USER_CACHE_MS (default 1000 ms; ``RecentUsers``; issue 15: the read was half the
database work of a logged-in movie detail). Behind it every process shares a copy in the cache
(``user_copy_namespace``, every field but the password, for AUTH_USER_COPY_SECONDS, default
300), which saving or deleting the user drops in every process once the transaction commits; a
write that changes the row without a save drops it through ``user_copies_drop``. A request
whose process holds no copy reads the shared one together with the session's logout mark, in
one cache round trip (the row is read from the primary, then shared, when there is no copy), so
a logged-in write costs no query for its user either. Every request still gets its own user
instance, and the token version, the active flag and the session are checked on every request
against it. A change saved through the ORM drops this process's copy at once and the shared copy
at commit; one made in another process reaches this one within AUTH_USER_CACHE_MS. Bound: if
the cache cannot be written at the moment of the change, a shared copy made before lives until
its TTL (AUTH_USER_COPY_SECONDS) at most, within the 15 minutes a logged-out access token keeps
during a cache outage. The TTL is minutes, not seconds, because an expired copy costs the next
request a read of the row from the primary and a write of the copy: 0.55 ms more of the
machine's CPU than a copy found, through PgBouncer at seed 002's volumes, and with the earlier
30 s about half the likes and logged-in reads of users back after a pause paid it (issue 16).
AUTH_USER_CACHE_MS=0 turns both copies off on this path: every request reads the user from the
database (the test settings do, so query counts there include it).

A token's signature is verified once per process (``RecentTokens``, by the token's exact
bytes); its expiry is checked on every request.

The cached-bytes fast path (apps.core.fastpath) authenticates a logged-in GET before DRF with
``fast_credentials``: the same token checks (signature, expiry, type), and the session's
revocation, the user's shared copy and (with read replicas) the user's recent-writer mark
read in the fast path's one cache round trip, together with the answer. So a logout, a
password change or a deactivation is refused at once, in every process, within the bound
above.
"""

import threading
import time
from collections import OrderedDict
from functools import cache, partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import DatabaseError, connections
from django.db.models.signals import post_delete, post_save
from rest_framework import exceptions
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed as JWTAuthenticationFailed
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.utils import aware_utcnow

from apps.accounts.tokens import (
    revoked_session_key,
    session_is_revoked,
    session_of,
    token_version_of,
)
from apps.core.cache import (
    cache_get_many,
    namespace_invalidate_on_commit,
    versioned_get_many,
    versioned_set,
)
from apps.core.routers import request_user_bind, request_user_bind_key

TOKEN_REFUSED = "The token is invalid, expired or revoked."  # noqa: S105 - a message


class RecentUsers:
    """This process's copies of the rows of users who authenticated in the last
    AUTH_USER_CACHE_MS, as field values (each request builds its own instance).

    At most ``max_entries`` copies, kept in the order they were made (a copy made again moves
    to the end), which is the order they expire in: when full, the oldest go first, expired or
    not, one for each new copy. Emptying the whole table instead made every user of the process
    pay the shared read again at once."""

    max_entries = 10_000

    def __init__(self) -> None:
        self._rows: OrderedDict[str, tuple[float, tuple, tuple]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, user_id):
        """A new instance of the user from a fresh copy, or None."""
        found = self._rows.get(str(user_id))
        if found is None or found[0] <= time.monotonic():
            return None
        _, names, values = found
        return get_user_model().from_db("default", names, values)

    def put(self, user) -> None:
        seconds = settings.AUTH_USER_CACHE_SECONDS
        if seconds <= 0:
            return
        deferred = user.get_deferred_fields()  # a user built from the shared copy has no hash
        names = tuple(
            field.attname for field in user._meta.concrete_fields if field.attname not in deferred
        )
        values = tuple(getattr(user, name) for name in names)
        key = str(user.pk)
        with self._lock:
            self._rows.pop(key, None)  # made again: to the end, with the others made now
            _oldest_drop(self._rows, self.max_entries - 1)
            self._rows[key] = (time.monotonic() + seconds, names, values)

    def drop(self, user_id) -> None:
        with self._lock:
            self._rows.pop(str(user_id), None)

    def clear(self) -> None:
        with self._lock:
            self._rows.clear()


recent_users = RecentUsers()


class RecentTokens:
    """This process's validated access tokens, by their exact bytes: a token's signature is
    verified once per process, its expiry (with the leeway) on every request, and everything
    else the authentication checks (the user, the version, the session) on every request too.

    At most ``max_entries`` tokens: when full, the one verified longest ago goes for each new
    one. Emptying the whole table instead made every token in use in the process be verified
    again at once whenever that many distinct tokens had been seen: with more users than that
    per process, a burst of verifications every few thousand logins."""

    max_entries = 4096

    def __init__(self) -> None:
        self._tokens: OrderedDict[bytes, object] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, raw_token: bytes):
        """The validated token for these bytes while it has not expired, else None."""
        token = self._tokens.get(raw_token)
        if token is None:
            return None
        try:
            token.check_exp(current_time=aware_utcnow())
        except TokenError:
            with self._lock:
                self._tokens.pop(raw_token, None)
            return None
        return token

    def put(self, raw_token: bytes, token) -> None:
        with self._lock:
            if raw_token not in self._tokens:
                _oldest_drop(self._tokens, self.max_entries - 1)
            self._tokens[raw_token] = token

    def clear(self) -> None:
        with self._lock:
            self._tokens.clear()


recent_tokens = RecentTokens()


def _oldest_drop(entries: OrderedDict, keep: int) -> None:
    """Drop the oldest of ``entries`` until at most ``keep`` are left (the caller holds the
    lock that guards them)."""
    while len(entries) > max(keep, 0):
        entries.popitem(last=False)


# The password hash never goes to the cache; a fast-path user reading it is a query.
USER_COPY_SKIPPED = frozenset({"password"})


def user_copy_namespace(user_id) -> str:
    return f"accounts:user:{user_id}"


def user_copies_drop(user_id, *, using=None) -> None:
    """Drop the copies of a user's row: this process's at once, the shared one once the current
    transaction commits (at once outside one). Saving or deleting the user does this; call it
    after any other change to the row (a queryset ``update``)."""
    recent_users.drop(user_id)
    # After the commit: a copy made from the old row before then is born stale (versioned).
    namespace_invalidate_on_commit(user_copy_namespace(user_id), using=using)


def _drop_recent_user(sender, instance, using=None, **kwargs) -> None:
    user_copies_drop(instance.pk, using=using)


def connect(user_model) -> None:
    """Drop a user's copies (this process's, the shared one) whenever their row is saved or
    deleted."""
    post_save.connect(_drop_recent_user, sender=user_model, dispatch_uid="recent_users_save")
    post_delete.connect(_drop_recent_user, sender=user_model, dispatch_uid="recent_users_delete")


class AccountJWTAuthentication(JWTAuthentication):
    """simplejwt's checks (signature, algorithm, expiry, type, the user exists and is active)
    plus the token version and the session, answered with one plain 401 message in the
    envelope.

    The message does not say which check failed: a client only needs to log in again.
    """

    def authenticate(self, request):
        # A request the fast path authenticated, then left to DRF (a miss): not twice.
        checked = request._request.__dict__.get("fast_authenticated")
        if checked is not None:
            credentials, user = checked
            if isinstance(credentials, FastCredentials) and credentials.header == (
                self.get_header(request)
            ):
                return user, credentials.token
        return super().authenticate(request)

    def get_validated_token(self, raw_token):
        token = recent_tokens.get(raw_token)
        if token is not None:
            return token
        try:
            token = super().get_validated_token(raw_token)
        except InvalidToken as exc:
            raise exceptions.AuthenticationFailed(TOKEN_REFUSED, code="token_not_valid") from exc
        recent_tokens.put(raw_token, token)
        return token

    def get_user(self, validated_token):
        user_id = validated_token.get(api_settings.USER_ID_CLAIM)
        session = session_of(validated_token)
        copies = (
            user_id is not None
            and not api_settings.CHECK_REVOKE_TOKEN
            and settings.AUTH_USER_CACHE_SECONDS > 0
        )
        # The session's logout mark and (with read replicas) the user's recent-writer mark are
        # read together, with the shared copy when this process holds none: one round trip.
        session_key = revoked_session_key(session) if session is not None else None
        writer_key = request_user_bind_key(user_id) if user_id is not None else None
        plain_keys = tuple(key for key in (session_key, writer_key) if key is not None)
        user = recent_users.get(user_id) if copies else None
        plain = None  # the plain keys' values, once read
        try:
            if user is None and copies:
                user, plain = _shared_user(validated_token, plain_keys)
            elif plain_keys:
                plain = cache_get_many(plain_keys)
            # A user who wrote a moment ago (a password change, a logout) is read from the
            # primary.
            request_user_bind(
                user_id, marked=writer_key in plain if plain is not None and writer_key else None
            )
            if user is None:
                user = super().get_user(validated_token)
                recent_users.put(user)
            elif api_settings.CHECK_USER_IS_ACTIVE and not user.is_active:
                raise JWTAuthenticationFailed("User is inactive", code="user_inactive")
        except (InvalidToken, JWTAuthenticationFailed) as exc:
            raise exceptions.AuthenticationFailed(TOKEN_REFUSED, code="token_not_valid") from exc
        if token_version_of(validated_token) != user.token_version:
            # Issued before the last password change or reset.
            raise exceptions.AuthenticationFailed(TOKEN_REFUSED, code="token_revoked")
        if session_key is not None and (
            session_key in plain if plain is not None else session_is_revoked(session)
        ):
            raise exceptions.AuthenticationFailed(TOKEN_REFUSED, code="token_revoked")
        return user

    def fast_credentials(self, request) -> "FastCredentials | None":
        """What the cached-bytes fast path needs to authenticate ``request`` (a Django request)
        in its one cache round trip, or None when this token is not one it may accept there
        (no token, a malformed, expired or wrong-type one: the DRF path answers the 401)."""
        if api_settings.CHECK_REVOKE_TOKEN:
            return None  # a check of its own, which only the DRF path makes
        header = self.get_header(request)
        try:
            raw_token = self.get_raw_token(header) if header is not None else None
            if raw_token is None:
                return None
            token = self.get_validated_token(raw_token)
        except exceptions.APIException:  # a malformed header, a bad token: the DRF path's 401
            return None
        user_id = _user_id_of(token)
        if user_id is None:
            return None
        session = session_of(token)
        # The user's recent-writer mark (read replicas) is read in the same round trip.
        writer_key = request_user_bind_key(user_id)
        plain_keys = (revoked_session_key(session),) if session else ()
        if writer_key is not None:
            plain_keys += (writer_key,)
        return FastCredentials(
            header=header,
            user_id=user_id,
            token=token,
            plain_keys=plain_keys,
            entries=((user_copy_namespace(user_id), ("row",), ()),),
            resolve=partial(_fast_user, token, session, writer_key),
        )


def _user_id_of(token) -> int | None:
    """The token's user id as a number (simplejwt writes it as text), or None."""
    value = token.get(api_settings.USER_ID_CLAIM)
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 18:
        return int(value)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


class FastCredentials:
    """A token accepted so far by the fast path: the cache keys to read with the answer, and
    ``resolve(plain_values, entries)``, the user once they are read (None: refused here)."""

    __slots__ = ("entries", "header", "plain_keys", "resolve", "token", "user_id")

    def __init__(self, *, header, user_id, token, plain_keys, entries, resolve) -> None:
        self.header, self.user_id, self.token, self.resolve = header, user_id, token, resolve
        self.plain_keys, self.entries = plain_keys, entries


def _fast_user(token, session, writer_key, plain: dict, entries: list):
    """The token's user, from the shared copy (made from the database on a miss), or None when
    the session was revoked, the user is missing or inactive, or the token is of an older
    version."""
    if session is not None and plain.get(revoked_session_key(session)) is not None:
        return None
    user_id = _user_id_of(token)
    # A user who wrote a moment ago is read from the primary (the mark read with the rest).
    marked = plain.get(writer_key) is not None if writer_key is not None else None
    request_user_bind(user_id, marked=marked)
    row, version = entries[0]
    user = _user_from_copy(row)
    if user is None:
        try:
            user = _user_copy_make(user_id, version)
        except DatabaseError:
            return None  # the DRF path answers as it would
        if user is None:
            return None
    if api_settings.CHECK_USER_IS_ACTIVE and not user.is_active:
        return None
    if token_version_of(token) != user.token_version:
        return None
    return user


def _shared_user(token, plain_keys: tuple[str, ...]) -> tuple:
    """The DRF path's read of the token's user when this process holds no copy: the shared
    copy and ``plain_keys`` (the session's logout mark, the user's recent-writer mark) in one
    cache round trip (the row is read from the primary, then shared, when there is no copy).
    Returns ``(user, values of the plain keys present)``; ``(None, None)`` when the cache
    cannot answer or the token's user id is not a number (the caller reads the database and
    asks about the marks itself). Raises simplejwt's AuthenticationFailed when the user does
    not exist."""
    user_id = _user_id_of(token)
    if user_id is None:
        return None, None
    read = versioned_get_many([(user_copy_namespace(user_id), ("row",), ())], plain_keys)
    if read is None:
        return None, None
    plain, entries = read
    row, version = entries[0]
    user = _user_from_copy(row)
    if user is None:
        user = _user_copy_make(user_id, version)
        if user is None:
            raise JWTAuthenticationFailed("User not found", code="user_not_found")
    recent_users.put(user)
    return user, plain


def _user_from_copy(row):
    """A new user instance from a shared copy's ``(names, values)`` (the password hash
    deferred: reading it is a query), or None when ``row`` is not one."""
    if isinstance(row, tuple) and len(row) == 2:
        return get_user_model().from_db("default", *row)
    return None


def _user_copy_make(user_id, version):
    """The user's row read from the primary (a replica behind a deactivation would share a
    stale copy), without the password hash, and shared under ``version``; None when there is
    no such user.

    One plain statement, built once (the ORM built and compiled a query for every read: half
    of this function's CPU, and a tenth of a like's in the server at seed 002's volumes, where
    2,000 users' copies expired every 30 s; issue 16), its values converted from the
    database's as the ORM would (SQLite's text dates and 0/1 booleans). Not shared when
    AUTH_USER_COPY_SECONDS is 0."""
    connection = connections["default"]
    sql, names, columns = _user_copy_statement(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, [user_id])
        row = cursor.fetchone()
    if row is None:
        return None
    values = list(row)
    for index, column in enumerate(columns):
        for convert in connection.ops.get_db_converters(column) + (
            column.field.get_db_converters(connection)
        ):
            values[index] = convert(values[index], column, connection)
    user = get_user_model().from_db("default", names, values)
    ttl = settings.AUTH_USER_COPY_SECONDS
    if ttl > 0:
        versioned_set(user_copy_namespace(user_id), ("row",), (names, tuple(values)), ttl, version)
    return user


@cache
def _user_copy_statement(vendor: str) -> tuple[str, tuple[str, ...], tuple]:
    """The copy's SELECT for this database, the attribute names it reads (every concrete
    field but USER_COPY_SKIPPED) and their column expressions (for the converters)."""
    model = get_user_model()
    quote = connections["default"].ops.quote_name
    fields = [
        field for field in model._meta.concrete_fields if field.attname not in USER_COPY_SKIPPED
    ]
    table = model._meta.db_table
    sql = (
        f"SELECT {', '.join(quote(field.column) for field in fields)} "  # noqa: S608 - model's names
        f"FROM {quote(table)} WHERE {quote(model._meta.pk.column)} = %s"
    )
    return sql, tuple(field.attname for field in fields), tuple(f.get_col(table) for f in fields)
