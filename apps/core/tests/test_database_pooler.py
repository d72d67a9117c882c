"""Database settings for PgBouncer in transaction pooling mode (config/settings/env.py)."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.settings.env import database_config, databases_from_env


def test_a_pgbouncer_url_gets_no_server_side_cursors_and_no_prepared_statements(monkeypatch):
    monkeypatch.delenv("DATABASE_POOLER", raising=False)
    config = database_config("postgres://app@pgbouncer:6432/nexus")
    assert config["DISABLE_SERVER_SIDE_CURSORS"] is True
    assert config["OPTIONS"]["prepare_threshold"] is None


def test_a_direct_url_keeps_server_side_cursors_and_prepared_statements(monkeypatch):
    monkeypatch.delenv("DATABASE_POOLER", raising=False)
    config = database_config("postgres://app@db:5432/nexus")
    assert not config.get("DISABLE_SERVER_SIDE_CURSORS")
    assert "prepare_threshold" not in config["OPTIONS"]


def test_database_pooler_overrides_the_port_either_way(monkeypatch):
    monkeypatch.setenv("DATABASE_POOLER", "pgbouncer")
    assert database_config("postgres://app@db:18403/nexus")["DISABLE_SERVER_SIDE_CURSORS"]
    monkeypatch.setenv("DATABASE_POOLER", "none")
    assert not database_config("postgres://app@db:6432/nexus").get("DISABLE_SERVER_SIDE_CURSORS")


def test_an_unknown_pooler_is_refused_at_start(monkeypatch):
    monkeypatch.setenv("DATABASE_POOLER", "pgpool")
    with pytest.raises(ImproperlyConfigured, match="DATABASE_POOLER"):
        database_config("postgres://app@db:5432/nexus")


def test_replicas_behind_the_pooler_are_set_up_alike_with_a_short_connect_timeout(
    monkeypatch, tmp_path
):
    monkeypatch.setenv("DATABASE_URL", "postgres://app@pgbouncer:6432/nexus")
    monkeypatch.setenv("DATABASE_REPLICA_URLS", "postgres://app@pgbouncer:6432/nexus_replica")
    monkeypatch.setenv("DATABASE_POOLER", "pgbouncer")
    databases, replicas = databases_from_env(tmp_path / "unused.sqlite3")
    assert replicas == ["replica_0"]
    replica = databases["replica_0"]
    assert replica["DISABLE_SERVER_SIDE_CURSORS"] is True
    assert replica["OPTIONS"]["connect_timeout"] == 2
    assert replica["TEST"] == {"MIRROR": "default"}
