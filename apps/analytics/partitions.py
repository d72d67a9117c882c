"""Monthly partitions of the activity log on PostgreSQL (seed 002: partitioned by month), and
the archive of old months.

``user_activity_logs`` is ``PARTITION BY RANGE ("timestamp")`` with one partition per month
named like the seed's (``user_activity_logs_y2026m12``) and a default partition that catches
anything outside them, so a write never fails for want of a partition. The primary key is
(id, timestamp), as PostgreSQL requires the partition key in it; ids still come from one
sequence. SQLite keeps one plain table (migration 0003 does nothing there).

- ``partitions_ensure``: the current month and ANALYTICS_PARTITIONS_AHEAD months ahead exist
  (``activity_partitions``, beat daily). A month whose rows already sit in the default
  partition gets them moved into its new partition in the same transaction.
- ``partitions_prune``: every month that ended more than DAYS ago is written to a gzip CSV
  (with a header) and dropped, in one transaction holding the partition locked, after checking
  the file has as many rows as the partition (``activity_prune --older-than DAYS``). On SQLite
  the rows older than the cut are exported and deleted the same way.
"""

import csv
import gzip
import io
import json
import logging
import os
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import connections, transaction

from apps.analytics.models import UserActivityLog
from apps.core.routers import analytics_alias

logger = logging.getLogger(__name__)

TABLE = UserActivityLog._meta.db_table
DEFAULT_PARTITION = f"{TABLE}_default"
_NAME = re.compile(rf"^{TABLE}_y(\d{{4}})m(\d{{2}})$")


@dataclass(frozen=True)
class Partition:
    name: str
    start: date
    end: date  # exclusive


@dataclass(frozen=True)
class Archived:
    name: str
    rows: int
    path: Path


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_add(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def partition_name(start: date) -> str:
    return f"{TABLE}_y{start.year:04d}m{start.month:02d}"


def _connection():
    return connections[analytics_alias()]


def is_partitioned() -> bool:
    connection = _connection()
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid "
            "WHERE c.relname = %s AND pg_table_is_visible(c.oid)",
            [TABLE],
        )
        return cursor.fetchone() is not None


def partitions_list() -> list[Partition]:
    """The monthly partitions, oldest first (the default partition is not listed)."""
    if not is_partitioned():
        return []
    with _connection().cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = %s",
            [TABLE],
        )
        names = [row[0] for row in cursor.fetchall()]
    found = []
    for name in names:
        match = _NAME.match(name)
        if match:
            start = date(int(match[1]), int(match[2]), 1)
            found.append(Partition(name, start, month_add(start, 1)))
    return sorted(found, key=lambda partition: partition.start)


def _quote(name: str) -> str:
    return _connection().ops.quote_name(name)


def _bound(day: date) -> str:
    return datetime(day.year, day.month, day.day, tzinfo=UTC).isoformat()


def partition_create(start: date) -> bool:
    """Create the partition of the month starting ``start``; False if it exists. Rows of that
    month already in the default partition move into it."""
    name, end = partition_name(start), month_add(start, 1)
    connection = _connection()
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [name])
        if cursor.fetchone()[0] is not None:
            return False
        # Lock the parent first: no write lands in the default partition meanwhile.
        cursor.execute(f"LOCK TABLE {_quote(TABLE)} IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute(
            f"CREATE TABLE {_quote(name)} (LIKE {_quote(TABLE)} INCLUDING DEFAULTS "
            "INCLUDING CONSTRAINTS)"
        )
        cursor.execute(
            f"WITH moved AS (DELETE FROM {_quote(DEFAULT_PARTITION)} "  # noqa: S608
            '    WHERE "timestamp" >= %s AND "timestamp" < %s RETURNING *) '
            f"INSERT INTO {_quote(name)} SELECT * FROM moved",
            [_bound(start), _bound(end)],
        )
        cursor.execute(
            f"ALTER TABLE {_quote(TABLE)} ATTACH PARTITION {_quote(name)} "
            f"FOR VALUES FROM ('{_bound(start)}') TO ('{_bound(end)}')"
        )
    logger.info("activity_partition_created", extra={"partition": name})
    return True


def partitions_ensure(*, ahead: int | None = None, today: date | None = None) -> list[str]:
    """Create the partitions of this month and ``ahead`` months after; returns those created."""
    if not is_partitioned():
        return []
    ahead = settings.ANALYTICS_PARTITIONS_AHEAD if ahead is None else ahead
    first = month_start(today or datetime.now(UTC).date())
    created = []
    for offset in range(ahead + 1):
        start = month_add(first, offset)
        if partition_create(start):
            created.append(partition_name(start))
    return created


def _columns() -> list[str]:
    return [field.column for field in UserActivityLog._meta.concrete_fields]


def _archive_path(directory: Path, name: str) -> Path:
    return directory / f"{name}.csv.gz"


def _copy_out(cursor, select_sql: str, params: list, path: Path) -> int:
    """COPY the query's rows as CSV with a header into a gzip file; the number of rows."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    raw = cursor.cursor  # psycopg's own cursor: COPY streams without holding rows in memory
    statement = raw.mogrify(select_sql, params) if params else select_sql
    with gzip.open(partial, "wb") as out:
        with raw.copy(f"COPY ({statement}) TO STDOUT WITH (FORMAT csv, HEADER)") as copy:
            for chunk in copy:
                out.write(chunk)
        rows = raw.rowcount
    os.replace(partial, path)
    return rows


def partitions_prune(
    *, older_than_days: int, archive_dir: Path | None = None, now: datetime | None = None
) -> list[Archived]:
    """Archive and drop what is older than ``older_than_days`` (whole months on PostgreSQL)."""
    if older_than_days < 0:
        raise ValueError("older_than_days must be 0 or more")
    directory = Path(archive_dir or settings.ANALYTICS_ARCHIVE_DIR)
    cut = (now or datetime.now(UTC)) - timedelta(days=older_than_days)
    if not is_partitioned():
        return _prune_plain(cut, directory)
    archived = []
    connection = _connection()
    columns = ", ".join(_quote(column) for column in _columns())
    for partition in partitions_list():
        if datetime(partition.end.year, partition.end.month, 1, tzinfo=UTC) > cut:
            continue
        path = _archive_path(directory, partition.name)
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {_quote(partition.name)} IN ACCESS EXCLUSIVE MODE")
            cursor.execute(f"SELECT count(*) FROM {_quote(partition.name)}")  # noqa: S608
            expected = cursor.fetchone()[0]
            rows = _copy_out(
                cursor,
                f"SELECT {columns} FROM {_quote(partition.name)} ORDER BY id",  # noqa: S608
                [],
                path,
            )
            if rows != expected:
                raise RuntimeError(
                    f"{partition.name}: {rows} rows archived, {expected} in the partition"
                )
            cursor.execute(f"ALTER TABLE {_quote(TABLE)} DETACH PARTITION {_quote(partition.name)}")
            cursor.execute(f"DROP TABLE {_quote(partition.name)}")
        logger.info(
            "activity_partition_archived", extra={"partition": partition.name, "rows": rows}
        )
        archived.append(Archived(partition.name, rows, path))
    return archived


def _prune_plain(cut: datetime, directory: Path) -> list[Archived]:
    """One plain table (SQLite): rows before ``cut`` to one gzip CSV, then deleted."""
    alias = analytics_alias()
    old = UserActivityLog.objects.using(alias).filter(timestamp__lt=cut).order_by("id")
    columns = _columns()
    name = f"{TABLE}_before_{cut:%Y%m%dT%H%M%S}"
    path = _archive_path(directory, name)
    with transaction.atomic(using=alias):
        last_id = old.values_list("id", flat=True).last()
        if last_id is None:
            return []
        chosen = old.filter(id__lte=last_id)
        directory.mkdir(parents=True, exist_ok=True)
        rows = 0
        with gzip.open(path, "wt", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(columns)
            fields = [field.attname for field in UserActivityLog._meta.concrete_fields]
            for values in chosen.values_list(*fields).iterator(chunk_size=5000):
                writer.writerow([_csv_value(value) for value in values])
                rows += 1
        chosen.delete()
    return [Archived(name, rows, path)]


def _csv_value(value):
    if isinstance(value, dict | list):
        return json.dumps(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def archive_read(path: Path) -> list[dict]:
    """The rows of an archive file (tests and restores)."""
    with gzip.open(path, "rt", newline="") as handle:
        return list(csv.DictReader(io.StringIO(handle.read())))
