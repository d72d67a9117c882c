"""Statements held for the commit (apps.core.statements, apps.core.postgresql.base): sent with
the COMMIT in one round trip on PostgreSQL, and the transaction unchanged in every other way:
order, savepoints, rollbacks, failures."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from apps.core.statements import execute_with_commit
from apps.core.testing import postgres_only

TABLE = "core_statements_probe"


@pytest.fixture
def probe(django_db_blocker):
    """A table of its own (made and dropped outside the test's transaction)."""
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {TABLE} (id integer PRIMARY KEY, label varchar(20))")
    yield
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {TABLE}")


def insert(row_id: int, label: str = "x") -> None:
    sql = f"INSERT INTO {TABLE} (id, label) VALUES (%s, %s)"  # noqa: S608 - the test's table
    execute_with_commit(sql, [row_id, label])


def rows() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, label FROM {TABLE} ORDER BY id")  # noqa: S608 - the table
        return [tuple(row) for row in cursor.fetchall()]


@pytest.mark.django_db(transaction=True)
def test_the_statements_land_with_the_transaction_on_every_database(probe):
    with transaction.atomic():
        insert(1)
        insert(2, "100%")
        assert rows() == [(1, "x"), (2, "100%")]  # a read in the transaction sees them
        insert(3)
    insert(4)  # outside a transaction: at once
    assert rows() == [(1, "x"), (2, "100%"), (3, "x"), (4, "x")]


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_held_statements_ride_with_the_commit_in_one_query(probe):
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        insert(1)
        insert(2)
    # Django logs the BEGIN it asks for (psycopg sends it with the first query).
    sent = [query["sql"] for query in queries.captured_queries if query["sql"] != "BEGIN"]
    assert len(sent) == 1, sent
    assert sent[0].count("INSERT INTO") == 2 and sent[0].endswith("COMMIT")
    assert rows() == [(1, "x"), (2, "x")]
    assert connection.connection.info.transaction_status.name == "IDLE"


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_cursor_made_after_a_hold_sends_the_held_statements_first(probe):
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        insert(1)
        assert rows() == [(1, "x")]
        insert(2)
    sent = [query["sql"] for query in queries.captured_queries if query["sql"] != "BEGIN"]
    assert len(sent) == 3, sent
    assert sent[0].startswith("INSERT INTO") and sent[1].startswith("SELECT")
    assert sent[2].startswith("INSERT INTO") and sent[2].endswith("COMMIT")
    assert rows() == [(1, "x"), (2, "x")]


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_rollback_drops_what_is_held_unsent(probe):
    with (
        CaptureQueriesContext(connection) as queries,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        insert(1)
        raise RuntimeError("the write fails")
    assert [q["sql"] for q in queries.captured_queries if "INSERT" in q["sql"]] == []
    assert rows() == []


@pytest.mark.django_db(transaction=True)
def test_a_savepoint_rolled_back_undoes_its_own_statements_only(probe):
    with transaction.atomic():
        insert(1)  # before the savepoint: sent when it is made
        with pytest.raises(RuntimeError), transaction.atomic():
            insert(2)
            raise RuntimeError("the inner block fails")
        with transaction.atomic():
            insert(3)  # a savepoint released: kept
        insert(4)
    assert rows() == [(1, "x"), (3, "x"), (4, "x")]


@pytest.mark.django_db(transaction=True)
def test_a_held_statement_that_fails_rolls_the_whole_transaction_back(probe):
    with pytest.raises(IntegrityError), transaction.atomic():
        with connection.cursor() as cursor:  # sent at once
            cursor.execute(f"INSERT INTO {TABLE} (id, label) VALUES (1, 'first')")  # noqa: S608
        insert(2)
        insert(1, "again")  # a duplicate key: raised by the commit on PostgreSQL
    assert rows() == []
    # The connection is usable after: nothing is left held or open.
    with transaction.atomic():
        insert(5)
    assert rows() == [(5, "x")]


@postgres_only  # elsewhere nothing is held: the duplicate fails at once, in the inner block
@pytest.mark.django_db(transaction=True)
def test_a_savepoint_rolled_back_drops_a_held_statement_that_would_have_failed(probe):
    """What a failed inner block held is undone unsent, so it cannot fail the outer block."""
    with transaction.atomic():
        insert(1)
        with pytest.raises(RuntimeError), transaction.atomic():
            insert(1, "again")  # would fail, but the block fails first
            raise RuntimeError("the inner block fails")
        insert(2)
    assert rows() == [(1, "x"), (2, "x")]
