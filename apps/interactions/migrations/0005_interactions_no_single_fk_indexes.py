"""Drop Django's single-column indexes of the interactions' user and movie (issue 16).

The unique constraint and idx_interactions_user_time lead with the user, and
idx_interactions_movie_type with the movie, so these two only cost every insert two more index
entries (and 135 MB at seed 002's volumes).

Only the indexes change. The AlterField Django writes for ``db_index=False`` also drops and adds
again both foreign keys, which validates them over every row (10,000,000 at seed 002's volumes)
while holding locks on the interactions, users and movies tables: tried on the stack under
load, it deadlocked with the live writes. Here the model's state changes alone, and the database
drops (or, backwards, builds) the indexes, CONCURRENTLY on PostgreSQL, so writes go on meanwhile.
"""

from django.conf import settings
from django.db import migrations, models

TABLE = "user_movie_interactions"
INDEXES = {  # Django's names for them (0001_initial)
    "user_movie_interactions_user_id_670aff42": "user_id",
    "user_movie_interactions_movie_id_91911b31": "movie_id",
}


def _concurrently(schema_editor) -> str:
    return " CONCURRENTLY" if schema_editor.connection.vendor == "postgresql" else ""


def indexes_drop(apps, schema_editor):
    for name in INDEXES:
        schema_editor.execute(f'DROP INDEX{_concurrently(schema_editor)} IF EXISTS "{name}"')


def indexes_create(apps, schema_editor):
    for name, column in INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX{_concurrently(schema_editor)} IF NOT EXISTS "{name}" '
            f'ON "{TABLE}" ("{column}")'
        )


class Migration(migrations.Migration):
    # DROP INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [
        ("catalog", "0006_list_rating_order_index"),
        ("interactions", "0004_counter_change_deltas"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="interaction",
                    name="movie",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=models.deletion.CASCADE,
                        related_name="interactions",
                        to="catalog.movie",
                    ),
                ),
                migrations.AlterField(
                    model_name="interaction",
                    name="user",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=models.deletion.CASCADE,
                        related_name="interactions",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(indexes_drop, indexes_create)],
        ),
    ]
