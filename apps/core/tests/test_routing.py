"""Per-app databases and read replicas, on two real databases (SQLite files, and PostgreSQL
databases when the suite runs on PostgreSQL). Each case runs manage.py in a subprocess with its
own DATABASE_URL, ANALYTICS_DATABASE_URL and DATABASE_REPLICA_URLS, as a deployment would."""

import json
import os
import sqlite3
import subprocess
import sys
import uuid
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.test import override_settings

from apps.core import routers
from apps.core.testing import IS_POSTGRES

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def _not_pinned():
    """Earlier tests in this thread wrote, which pins a thread outside requests to the
    primary for good; each test here starts as a thread that has not written."""
    token = routers._pinned_to_primary.set(False)
    yield
    routers._pinned_to_primary.reset(token)


BACKENDS = [
    "sqlite",
    pytest.param(
        "postgresql",
        marks=pytest.mark.skipif(
            not IS_POSTGRES, reason="needs PostgreSQL: set DATABASE_URL to a PostgreSQL database"
        ),
    ),
]


def manage(env: dict, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def base_env() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE", "ANALYTICS"))}
    env.pop("REDIS_URL", None)
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
    env["LOG_LEVEL"] = "WARNING"
    return env


@contextmanager
def two_databases(backend: str, tmp_path: Path):
    """Yields (url_a, url_b, tables_of): two empty databases and a way to list their tables."""
    if backend == "sqlite":
        paths = [tmp_path / "a.sqlite3", tmp_path / "b.sqlite3"]

        def tables_of(index: int) -> set[str]:
            with sqlite3.connect(paths[index]) as connection:
                rows = connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
                return {row[0] for row in rows}

        yield [f"sqlite:///{path}" for path in paths], tables_of, paths
        return

    import psycopg

    default = settings.DATABASES["default"]
    names = [f"nexus_route_{uuid.uuid4().hex[:10]}_{suffix}" for suffix in ("a", "b")]
    auth = default["USER"] + (f":{default['PASSWORD']}" if default.get("PASSWORD") else "")
    server = f"postgresql://{auth}@{default['HOST'] or 'localhost'}:{default['PORT'] or 5432}"
    admin = psycopg.connect(f"{server}/postgres", autocommit=True)

    def tables_of(index: int) -> set[str]:
        with psycopg.connect(f"{server}/{names[index]}") as connection:
            rows = connection.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            ).fetchall()
            return {row[0] for row in rows}

    admin.execute(f'CREATE DATABASE "{names[0]}"')
    try:
        yield [f"{server}/{names[0]}", f"{server}/{names[1]}"], tables_of, names
    finally:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.mark.parametrize("backend", BACKENDS)
def test_analytics_models_live_in_their_own_database(backend, tmp_path):
    with two_databases(backend, tmp_path) as (urls, tables_of, names):
        if backend == "postgresql":
            import psycopg

            with psycopg.connect(urls[0].rsplit("/", 1)[0] + "/postgres", autocommit=True) as c:
                c.execute(f'CREATE DATABASE "{names[1]}"')
        env = {**base_env(), "DATABASE_URL": urls[0], "ANALYTICS_DATABASE_URL": urls[1]}
        output = manage(env, "migrate_all", "--noinput")
        assert "Migrating database 'default'" in output
        assert "Migrating database 'analytics'" in output

        main_tables, analytics_tables = tables_of(0), tables_of(1)
        assert "movies" in main_tables and "users" in main_tables
        assert "user_activity_logs" not in main_tables
        assert "user_activity_logs" in analytics_tables
        assert "movies" not in analytics_tables

        script = (
            "from apps.analytics.services import activity_record;"
            "from apps.analytics.models import UserActivityLog;"
            "event = activity_record(action_type='movie_view', user_id=7, movie_id=9);"
            "print(event._state.db, UserActivityLog.objects.filter(user_id=7).count())"
        )
        assert manage(env, "shell", "-v", "0", "-c", script).split() == ["analytics", "1"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_reads_go_to_the_replica_and_writes_and_transactions_to_the_primary(backend, tmp_path):
    with two_databases(backend, tmp_path) as (urls, _tables_of, names):
        env = {**base_env(), "DATABASE_URL": urls[0], "DATABASE_REPLICA_URLS": urls[1]}
        manage(env, "migrate_all", "--noinput")
        # The "replica" is a copy of the migrated primary that receives no replication, so a
        # row written afterwards is visible only on the primary: that shows where a read went.
        if backend == "sqlite":
            names[1].write_bytes(names[0].read_bytes())
        else:
            import psycopg

            with psycopg.connect(urls[0].rsplit("/", 1)[0] + "/postgres", autocommit=True) as c:
                c.execute(f'CREATE DATABASE "{names[1]}" TEMPLATE "{names[0]}"')

        script = "\n".join(
            [
                "import json",
                "from django.db import transaction",
                "from apps.catalog.models import Genre",
                "from apps.core.routers import _pinned_to_primary",
                "read_alias = Genre.objects.all().db",
                "genre = Genre.objects.create(name='Noir', slug='noir')",
                "after_write = Genre.objects.filter(slug='noir').exists()",
                "_pinned_to_primary.set(False)  # as a fresh process that has not written",
                "outside = Genre.objects.filter(slug='noir').exists()",
                "with transaction.atomic():",
                "    inside = Genre.objects.filter(slug='noir').exists()",
                "print(json.dumps({'written_to': genre._state.db, 'outside': outside,",
                "                  'read_alias': read_alias, 'inside': inside,",
                "                  'after_write': after_write}))",
            ]
        )
        result = json.loads(manage(env, "shell", "-v", "0", "-c", script).strip().splitlines()[-1])
    assert result == {
        "written_to": "default",
        "outside": False,
        "read_alias": "replica_0",
        "inside": True,
        # A command that wrote reads its writes back from the primary.
        "after_write": True,
    }


@pytest.mark.django_db(transaction=True)
@override_settings(DATABASE_REPLICAS=["replica_0"])
@mock.patch("apps.core.replicas.replica_usable", return_value=True)
def test_a_request_reads_from_the_primary_after_it_has_written(_usable):
    from apps.catalog.models import Genre

    router = routers.DatabaseRouter()
    tokens = routers.begin_request_scope()
    try:
        assert router.db_for_read(Genre) == "replica_0"
        assert router.db_for_write(Genre) == "default"
        assert router.db_for_read(Genre) == "default"
    finally:
        routers.end_request_scope(tokens)
    assert router.db_for_read(Genre) == "replica_0"


@override_settings(DATABASE_REPLICAS=["replica_0"])
def test_replicas_are_never_migrated_and_analytics_stays_off_default_when_split():
    router = routers.DatabaseRouter()
    assert router.allow_migrate("replica_0", "catalog") is False
    assert router.allow_migrate("default", "catalog") is True
    with mock.patch("apps.core.routers.analytics_alias", return_value="analytics"):
        assert router.allow_migrate("default", "analytics") is False
        assert router.allow_migrate("analytics", "analytics") is True
        assert router.allow_migrate("analytics", "catalog") is False
