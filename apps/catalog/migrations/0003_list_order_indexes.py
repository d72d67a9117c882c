"""Indexes in the exact order of the movie lists (PostgreSQL only; a no-op elsewhere, where
NULLS LAST cannot be indexed).

apps.catalog.filters.ordering_apply sorts `movies/` by a column descending with nulls last,
then by id. At seed 002's volumes (50,000 movies) the plan of a filtered page was a scan and
sort of every match (97 ms); with an index in that order the page is read off the index and the
scan stops once it has the page (docs/deployment.md, "Query plans").
"""

from django.db import migrations

INDEXES = [
    ("idx_movies_list_popularity", "popularity_score"),
    ("idx_movies_list_release", "release_date"),
]


def _create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, column in INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "movies" '
            f'("{column}" DESC NULLS LAST, "id" DESC) WHERE "is_active"'
        )


def _drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _column in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_search_indexes")]

    operations = [migrations.RunPython(_create, _drop)]
