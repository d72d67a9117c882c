"""Full-text and trigram search indexes (PostgreSQL only; a no-op on other databases).

The full-text expressions are exactly the ones Django's SearchVector(field, config="english")
generates, so the planner can use the indexes for the queries in apps.catalog.search.
"""

from django.db import migrations

FULL_TEXT_INDEXES = [
    ("idx_movies_title_search", "movies", "title"),
    ("idx_persons_name_search", "persons", "name"),
    ("idx_tv_shows_name_search", "tv_shows", "name"),
]
TRIGRAM_INDEXES = [
    ("idx_movies_title_trgm", "movies", "title"),
    ("idx_persons_name_trgm", "persons", "name"),
    ("idx_tv_shows_name_trgm", "tv_shows", "name"),
]


def _create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in FULL_TEXT_INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" USING GIN '
            f"(to_tsvector('english'::regconfig, COALESCE(\"{column}\", '')))"
        )
    for name, table, column in TRIGRAM_INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" USING GIN ("{column}" gin_trgm_ops)'
        )


def _drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in FULL_TEXT_INDEXES + TRIGRAM_INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [migrations.RunPython(_create, _drop)]
