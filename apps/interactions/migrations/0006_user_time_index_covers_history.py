"""idx_interactions_user_time includes what a recommendation refresh reads of a user's history
(issue 16).

The refresh reads every interaction of the users it refreshes (apps.recommendations.training
``_interaction_rows``: id, movie, type, rating and time, by user). With the index on (user,
time) alone PostgreSQL fetched each row from the table, where a user's rows lie on as many pages
as the user has rows (they were written over years, among everyone else's): about 120 pages for
a user at seed 002's volumes, read from disk when the user was not read lately. With the read
columns included it reads them from the index alone (an index-only scan), a few pages a user.
Measured on the stack at seed 002's volumes, 300 batches of 20 users, pages in memory: 0.34 to
0.42 ms of PostgreSQL's CPU per user before, 0.10 after. The index grows from 306 MB to 660 MB.

PostgreSQL builds the new index CONCURRENTLY under another name, then drops the old one
CONCURRENTLY and gives the new one its name, so writes go on meanwhile (building it took 13 s
at seed 002's volumes). SQLite has no INCLUDE: its index stays as it is, which is also what
Django makes of the model's index there.
"""

from django.db import migrations, models

TABLE = "user_movie_interactions"
NAME = "idx_interactions_user_time"
BUILDING = "idx_interactions_user_time_new"
KEY = '"user_id", "timestamp" DESC'
INCLUDED = '"id", "movie_id", "interaction_type", "rating"'


def _rebuild(schema_editor, include: str) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    # An index left invalid by a build that failed is dropped first, never renamed into place.
    schema_editor.execute(f'DROP INDEX CONCURRENTLY IF EXISTS "{BUILDING}"')
    schema_editor.execute(f'CREATE INDEX CONCURRENTLY "{BUILDING}" ON "{TABLE}" ({KEY}){include}')
    schema_editor.execute(f'DROP INDEX CONCURRENTLY IF EXISTS "{NAME}"')
    schema_editor.execute(f'ALTER INDEX "{BUILDING}" RENAME TO "{NAME}"')


def index_cover(apps, schema_editor):
    _rebuild(schema_editor, f" INCLUDE ({INCLUDED})")


def index_uncover(apps, schema_editor):
    _rebuild(schema_editor, "")


class Migration(migrations.Migration):
    # CREATE and DROP INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [
        ("interactions", "0005_interactions_no_single_fk_indexes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex(model_name="interaction", name=NAME),
                migrations.AddIndex(
                    model_name="interaction",
                    index=models.Index(
                        fields=["user", "-timestamp"],
                        include=["id", "movie", "interaction_type", "rating"],
                        name=NAME,
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(index_cover, index_uncover)],
        ),
    ]
