"""The activity log by month on PostgreSQL: partitions made ahead, old ones archived and dropped.
SQLite keeps one plain table; the prune command exports and deletes its old rows."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.management import call_command
from django.db import connection

from apps.analytics import partitions
from apps.analytics.models import UserActivityLog
from apps.analytics.partitions import (
    archive_read,
    is_partitioned,
    partition_name,
    partitions_ensure,
    partitions_list,
    partitions_prune,
)

pytestmark = pytest.mark.django_db(transaction=True)

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="partitions are PostgreSQL's; run with DATABASE_URL=postgres://... to test them",
)


def _log(when: datetime, **fields) -> UserActivityLog:
    return UserActivityLog.objects.create(
        action_type=fields.pop("action_type", "movie_view"), timestamp=when, **fields
    )


@on_postgresql
def test_the_log_is_partitioned_by_month_with_a_default():
    assert is_partitioned()
    this_month = datetime.now(UTC).date().replace(day=1)
    names = [partition.name for partition in partitions_list()]
    assert partition_name(this_month) in names
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('user_activity_logs_default')")
        assert cursor.fetchone()[0] is not None


@on_postgresql
def test_rows_land_in_their_months_partition():
    now = datetime.now(UTC)
    row = _log(now, user_id=3)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tableoid::regclass::text FROM user_activity_logs WHERE id = %s", [row.pk]
        )
        assert cursor.fetchone()[0] == partition_name(now.date().replace(day=1))
    assert UserActivityLog.objects.get(pk=row.pk).user_id == 3


@on_postgresql
def test_partitions_are_created_ahead_once_and_rows_waiting_in_the_default_move_in():
    far = date(2031, 5, 1)
    waiting = _log(datetime(2031, 5, 17, 12, tzinfo=UTC))  # no partition yet: the default

    created = partitions_ensure(ahead=2, today=far)

    assert created == [
        partition_name(far),
        "user_activity_logs_y2031m06",
        "user_activity_logs_y2031m07",
    ]
    assert partitions_ensure(ahead=2, today=far) == []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tableoid::regclass::text FROM user_activity_logs WHERE id = %s", [waiting.pk]
        )
        assert cursor.fetchone()[0] == "user_activity_logs_y2031m05"


@on_postgresql
def test_the_command_creates_partitions(capsys):
    call_command("activity_partitions", "--ahead", "1")
    assert "monthly partitions" in capsys.readouterr().out


@on_postgresql
def test_prune_archives_whole_old_months_to_csv_and_drops_them(tmp_path):
    partitions_ensure(ahead=0, today=date(2025, 1, 1))
    partitions_ensure(ahead=0, today=date(2025, 2, 1))
    old = [_log(datetime(2025, 1, day, tzinfo=UTC), movie_id=day) for day in (3, 4, 5)]
    kept = _log(datetime(2025, 2, 20, tzinfo=UTC), movie_id=99)

    archived = partitions_prune(
        older_than_days=10, archive_dir=tmp_path, now=datetime(2025, 2, 25, tzinfo=UTC)
    )

    assert [(item.name, item.rows) for item in archived] == [("user_activity_logs_y2025m01", 3)]
    rows = archive_read(archived[0].path)
    assert [int(row["movie_id"]) for row in rows] == [3, 4, 5]
    assert rows[0]["action_type"] == "movie_view" and "timestamp" in rows[0]
    assert "user_activity_logs_y2025m01" not in [p.name for p in partitions_list()]
    assert set(UserActivityLog.objects.values_list("pk", flat=True)) == {kept.pk}
    assert {row.pk for row in old}.isdisjoint(UserActivityLog.objects.values_list("pk", flat=True))


@on_postgresql
def test_a_failed_export_drops_nothing(tmp_path, monkeypatch):
    partitions_ensure(ahead=0, today=date(2025, 1, 1))
    _log(datetime(2025, 1, 3, tzinfo=UTC))

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(partitions, "_copy_out", broken)
    with pytest.raises(OSError):
        partitions_prune(
            older_than_days=10, archive_dir=tmp_path, now=datetime(2025, 3, 1, tzinfo=UTC)
        )

    assert "user_activity_logs_y2025m01" in [p.name for p in partitions_list()]
    assert UserActivityLog.objects.count() == 1


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the plain-table path is SQLite's")
def test_on_sqlite_the_log_is_one_table_and_prune_exports_and_deletes_old_rows(tmp_path, capsys):
    assert not is_partitioned() and partitions_ensure() == []
    now = datetime.now(UTC)
    _log(now - timedelta(days=40), movie_id=1, metadata={"q": "a,b"})
    _log(now - timedelta(days=1), movie_id=2)

    call_command("activity_prune", "--older-than", "30", "--archive-dir", str(tmp_path))

    assert list(UserActivityLog.objects.values_list("movie_id", flat=True)) == [2]
    (path,) = tmp_path.glob("*.csv.gz")
    (row,) = archive_read(path)
    assert (row["movie_id"], row["metadata"]) == ("1", '{"q": "a,b"}')
    assert "1 row sets archived" in capsys.readouterr().out


def test_prune_refuses_a_bad_age():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("activity_prune", "--older-than", "0")
