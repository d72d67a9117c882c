"""Reading configuration from the environment, in one place.

Values are read raw from ``os.environ``: no ``$`` expansion, so a generated secret key that
starts with ``$`` survives intact.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

TRUE_VALUES = {"1", "true", "yes", "on"}
FALSE_VALUES = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value is None else value.strip()


def env_required(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"The environment variable {name} must be set.")
    return value


def env_url_required(name: str) -> str:
    """A required absolute http(s) URL, without its trailing slash."""
    from urllib.parse import urlsplit

    value = env_required(name).rstrip("/")
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ImproperlyConfigured(f"{name} must be an absolute http(s) URL, not {value!r}.")
    return value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in TRUE_VALUES:
        return True
    if lowered in FALSE_VALUES:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true or false), not {value!r}.")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}.") from exc


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    try:
        return float(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a number, not {value!r}.") from exc


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


POOLERS = {"", "none", "pgbouncer"}


def database_pooler(url: str) -> str:
    """``pgbouncer`` when DATABASE_POOLER says so, or when the URL's port is PgBouncer's
    customary 6432; else ``none``."""
    pooler = (env_str("DATABASE_POOLER") or "").lower()
    if pooler not in POOLERS:
        raise ImproperlyConfigured(f"DATABASE_POOLER must be pgbouncer or none, not {pooler!r}.")
    if pooler:
        return pooler
    return "pgbouncer" if dj_database_url.parse(url).get("PORT") in (6432, "6432") else "none"


# How long a new connection to the primary refused by the server (PgBouncer or PostgreSQL
# restarting) is tried again before the request fails (apps/core/postgresql).
PRIMARY_CONNECT_RETRY_SECONDS = 2.0


def database_config(
    url: str, *, conn_max_age: int = 60, connect_timeout: int = 5, connect_retry: float = 0.0
) -> dict:
    """A DATABASES entry from a URL, with the options every alias shares; a refused connection
    is tried again for ``connect_retry`` seconds (PostgreSQL only)."""
    config = dj_database_url.parse(url, conn_max_age=conn_max_age, conn_health_checks=True)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["CONN_MAX_AGE"] = 0
        # WAL lets readers and one writer work at once; busy timeout waits instead of failing.
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
        }
        Path(config["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    elif config["ENGINE"] == "django.db.backends.postgresql":
        # Django's backend with a health check that sends no query (apps/core/postgresql).
        config["ENGINE"] = "apps.core.postgresql"
        config.setdefault("OPTIONS", {})["connect_timeout"] = connect_timeout
        config["CONNECT_RETRY_SECONDS"] = connect_retry
        if database_pooler(url) == "pgbouncer":
            transaction_pooling(config)
    return config


def transaction_pooling(config: dict) -> None:
    """Settings for PgBouncer in transaction pooling mode, where consecutive transactions of
    one Django connection may run on different server connections.

    - No server-side cursors: a named cursor lives in one server session, and ``iterator()``
      would read it from another (DISABLE_SERVER_SIDE_CURSORS).
    - No prepared statements: psycopg 3 prepares a query after it has run five times, and the
      prepared statement would be missing on the next server connection
      (``prepare_threshold=None``; Django's default client-side binding keeps it so).
    - No session state: the server's own time zone is UTC (deploy/postgresql), so Django never
      sends ``SET TIME ZONE``; nothing else in the project sets session variables, holds
      advisory locks or uses LISTEN across transactions.
    """
    config["DISABLE_SERVER_SIDE_CURSORS"] = True
    options = config.setdefault("OPTIONS", {})
    options["prepare_threshold"] = None
    options.pop("server_side_binding", None)


def databases_from_env(default_sqlite_path: Path) -> tuple[dict, list[str]]:
    """DATABASES with the primary, the optional analytics database and read replicas.

    Returns the mapping and the list of replica aliases (the router reads from those).
    """
    default_url = env_str("DATABASE_URL") or f"sqlite:///{default_sqlite_path}"
    databases = {
        "default": database_config(default_url, connect_retry=PRIMARY_CONNECT_RETRY_SECONDS)
    }
    analytics_url = env_str("ANALYTICS_DATABASE_URL")
    if analytics_url:
        databases["analytics"] = database_config(
            analytics_url, connect_retry=PRIMARY_CONNECT_RETRY_SECONDS
        )
    replicas = []
    for index, url in enumerate(env_list("DATABASE_REPLICA_URLS")):
        alias = f"replica_{index}"
        # A replica that stops answering should cost a request little before it is skipped.
        databases[alias] = database_config(url, connect_timeout=2)
        # A replica holds the primary's data: tests use the primary in its place.
        databases[alias]["TEST"] = {"MIRROR": "default"}
        replicas.append(alias)
    return databases, replicas


def redis_url_for_worker(redis_url: str, worker: str) -> str:
    """The Redis database of a pytest-xdist worker (``gw0``, ``gw1``...): REDIS_URL's database
    plus the worker's number, so that workers never empty each other's cache. Refused past
    Redis's 16 databases."""
    if not worker.startswith("gw") or not worker[2:].isdigit():
        return redis_url
    parts = urlsplit(redis_url)
    base = int(parts.path.strip("/") or 0)
    database = base + int(worker[2:])
    if database > 15:
        raise ImproperlyConfigured(
            f"pytest worker {worker} would use Redis database {database}: point REDIS_URL at a "
            "lower database or run fewer workers (make test TEST_WORKERS=N)"
        )
    return urlunsplit(parts._replace(path=f"/{database}"))


def cache_config(redis_url: str | None) -> dict:
    """CACHES for Redis when a URL is given, else local memory.

    Redis errors are swallowed by django-redis (IGNORE_EXCEPTIONS): a cache outage turns every
    cache read into a miss and every write into a no-op, so requests fall back to the database.
    Short socket timeouts keep an unreachable Redis from stalling requests.
    """
    if not redis_url:
        return {
            "default": {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": "movie-nexus",
                "TIMEOUT": 300,
                "OPTIONS": {"MAX_ENTRIES": 20000},
            }
        }
    return {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": redis_url,
            "TIMEOUT": 300,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "nexus"),
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                "SOCKET_CONNECT_TIMEOUT": 0.5,
                "SOCKET_TIMEOUT": 0.5,
                "IGNORE_EXCEPTIONS": True,
                "CONNECTION_POOL_KWARGS": {"max_connections": 100, "retry_on_timeout": False},
            },
        }
    }
