"""The popularity order of `movies/` changed (issue 11 item 18): it is now
apps.catalog.rankings.movie_popularity_order, the order movies/popular/ always used (our users'
engagement, then TMDb's popularity, then TMDb's votes, then the id), instead of
`popularity_score DESC NULLS LAST, id DESC`, which on MovieLens data (popularity 0 for every
movie) listed the last imported ids first.

The index of 0003 in the old order would serve no query any more: it is replaced by one in the
new order, so a page is still read off an index (PostgreSQL only; a no-op elsewhere). The
expression must stay the SQL of apps.catalog.rankings.engagement();
apps/catalog/tests/test_movielens_data_lists.py checks on PostgreSQL that the page's plan uses
this index without a sort.
"""

from django.db import migrations

NEW = "idx_movies_list_engagement"
OLD = "idx_movies_list_popularity"


def _create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f'DROP INDEX IF EXISTS "{OLD}"')
    schema_editor.execute(
        f'CREATE INDEX IF NOT EXISTS "{NEW}" ON "movies" ('
        '(("rating_count" + (2 * "like_count") + "view_count") - "dislike_count") DESC, '
        '"popularity_score" DESC, "tmdb_vote_count" DESC, "id" ASC) WHERE "is_active"'
    )


def _drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f'DROP INDEX IF EXISTS "{NEW}"')
    schema_editor.execute(
        f'CREATE INDEX IF NOT EXISTS "{OLD}" ON "movies" '
        '("popularity_score" DESC NULLS LAST, "id" DESC) WHERE "is_active"'
    )


class Migration(migrations.Migration):
    dependencies = [("catalog", "0003_list_order_indexes")]

    operations = [migrations.RunPython(_create, _drop)]
