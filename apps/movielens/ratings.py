"""MovieLens users and ratings: one account per userId, ratings as imported interactions."""

import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

from apps.accounts.models import Profile
from apps.interactions.models import Interaction, InteractionSource, InteractionType
from apps.movielens.common import (
    ImportReport,
    Progress,
    batches,
    csv_rows,
    line_count,
    to_int,
)

RATINGS_BATCH_SIZE = 5000
USERNAME_PREFIX = "ml_"
EMAIL_DOMAIN = "movielens.invalid"
_HALF_STEPS = {Decimal(step) / 2 for step in range(1, 11)}


def _accounts_by_username(names) -> dict[str, tuple[int, str]]:
    """Folded username -> (pk, email), matching usernames in their folded form like the unique
    constraint does (the names asked for are already folded: ml_<digits>)."""
    return {
        username_key: (pk, email)
        for username_key, pk, email in get_user_model()
        .objects.filter(username_key__in=list(names))
        .values_list("username_key", "pk", "email")
    }


def _users_ensure(movielens_user_ids: set[int], user_pks: dict, report) -> None:
    """Create the users ml_<userId> not seen yet, each with a Profile; fill ``user_pks``.

    A username already taken by someone who is not this MovieLens user (another email) maps
    to None: that userId's ratings are skipped rather than given to a real account.
    """
    missing = movielens_user_ids - user_pks.keys()
    if not missing:
        return
    User = get_user_model()
    names = {f"{USERNAME_PREFIX}{uid}": uid for uid in missing}
    existing = _accounts_by_username(names)
    User.objects.bulk_create(
        [
            User(username=name, email=f"{name}@{EMAIL_DOMAIN}", password=make_password(None))
            for name in sorted(names.keys() - existing.keys())
        ],
        ignore_conflicts=True,
    )
    accounts = _accounts_by_username(names)
    new_pks = []
    for name, uid in names.items():
        pk, email = accounts.get(name, (None, ""))
        if pk is None or email.lower() != f"{name}@{EMAIL_DOMAIN}":
            user_pks[uid] = None
            report.users_foreign.append(name)
            continue
        user_pks[uid] = pk
        if name not in existing:
            new_pks.append(pk)
    Profile.objects.bulk_create([Profile(user_id=pk) for pk in new_pks], ignore_conflicts=True)
    report.users_created += len(new_pks)


def _rating(value: str | None) -> Decimal | None:
    try:
        rating = Decimal((value or "").strip())
    except InvalidOperation:
        return None
    return rating if rating in _HALF_STEPS else None


def _timestamp(value: str | None) -> datetime.datetime | None:
    seconds = to_int(value)
    if seconds is None:
        return None
    try:
        return datetime.datetime.fromtimestamp(seconds, tz=datetime.UTC)
    except (OverflowError, OSError, ValueError):
        return None


def ratings_import(path: Path, movie_pks, report: ImportReport, progress: Progress) -> None:
    user_pks: dict[int, int] = {}
    bar = progress("ratings", line_count(path))
    for batch in batches(csv_rows(path), RATINGS_BATCH_SIZE):
        with transaction.atomic():
            _ratings_batch(batch, movie_pks, user_pks, report)
        bar.update(len(batch))
    bar.close()


def _ratings_batch(batch: list[dict], movie_pks, user_pks, report: ImportReport) -> None:
    parsed: dict[tuple[int, int], tuple[Decimal, datetime.datetime]] = {}
    for row in batch:
        user_id, movie_pk = to_int(row.get("userId")), movie_pks.get(to_int(row.get("movieId")))
        rating, when = _rating(row.get("rating")), _timestamp(row.get("timestamp"))
        if user_id is None or user_id <= 0 or movie_pk is None or rating is None or when is None:
            report.ratings_skipped += 1
            continue
        previous = parsed.get((user_id, movie_pk))
        if previous is None or previous[1] <= when:  # the latest rating of a pair wins
            parsed[(user_id, movie_pk)] = (rating, when)
    _users_ensure({user_id for user_id, _ in parsed}, user_pks, report)
    foreign = [pair for pair in parsed if user_pks[pair[0]] is None]
    for pair in foreign:
        del parsed[pair]
    report.ratings_skipped += len(foreign)
    _ratings_upsert(
        [
            (user_pks[user_id], movie_pk, rating, when)
            for (user_id, movie_pk), (rating, when) in parsed.items()
        ]
    )
    report.ratings += len(parsed)


def _ratings_upsert(rows: list[tuple[int, int, Decimal, datetime.datetime]]) -> None:
    """INSERT ... ON CONFLICT (user, movie, type) DO UPDATE for imported ratings.

    The same statement bulk_create(update_conflicts=True) would issue, written directly: building
    and preparing 100,000 model instances was most of the import's time. Columns the import
    does not set get their model default, so a column added to Interaction later still works.
    """
    if not rows:
        return
    ops = connection.ops
    table = ops.quote_name(Interaction._meta.db_table)
    fields = [f for f in Interaction._meta.concrete_fields if not f.primary_key]
    varying = {"user": 0, "movie": 1, "rating": 2, "timestamp": 3}
    fixed = {
        f.name: f.get_db_prep_save(
            {"interaction_type": InteractionType.RATING, "source": InteractionSource.IMPORT}.get(
                f.name, f.get_default()
            ),
            connection,
        )
        for f in fields
        if f.name not in varying
    }
    columns = ", ".join(ops.quote_name(f.column) for f in fields)
    unique = ", ".join(
        ops.quote_name(Interaction._meta.get_field(name).column)
        for name in ("user", "movie", "interaction_type")
    )
    updates = ", ".join(
        f"{ops.quote_name(c)} = excluded.{ops.quote_name(c)}"
        for c in ("rating", "source", "timestamp")
    )
    # Rows whose values are already stored are left alone: a re-import writes nothing.
    distinct = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
    changed = " OR ".join(
        f"{table}.{ops.quote_name(c)} {distinct} excluded.{ops.quote_name(c)}"
        for c in ("rating", "source", "timestamp")
    )
    conflict = f"ON CONFLICT ({unique}) DO UPDATE SET {updates} WHERE {changed}"
    if connection.vendor == "postgresql":
        _ratings_upsert_unnest(rows, table, columns, fields, varying, fixed, conflict)
        return
    row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
    for chunk in batches(iter(rows), 500):
        params: list = []
        for user_pk, movie_pk, rating, when in chunk:
            values = (
                user_pk,
                movie_pk,
                ops.adapt_decimalfield_value(rating, 2, 1),
                ops.adapt_datetimefield_value(when),
            )
            params += [
                values[varying[f.name]] if f.name in varying else fixed[f.name] for f in fields
            ]
        values_sql = ", ".join([row_sql] * len(chunk))
        sql = f"INSERT INTO {table} ({columns}) VALUES {values_sql} {conflict}"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def _ratings_upsert_unnest(rows, table, columns, fields, varying, fixed, conflict) -> None:
    """PostgreSQL: one statement per batch with four array parameters instead of 30,000."""
    arrays = list(zip(*rows, strict=True))
    names = ("user_id", "movie_id", "rating", "ts")
    select = ", ".join(f"u.{names[varying[f.name]]}" if f.name in varying else "%s" for f in fields)
    sql = (
        f"INSERT INTO {table} ({columns}) SELECT {select} "  # noqa: S608
        "FROM unnest(%s::bigint[], %s::bigint[], %s::numeric[], %s::timestamptz[]) "
        f"AS u(user_id, movie_id, rating, ts) {conflict}"
    )
    params = [fixed[f.name] for f in fields if f.name not in varying] + [
        list(arrays[0]),
        list(arrays[1]),
        list(arrays[2]),
        list(arrays[3]),
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
