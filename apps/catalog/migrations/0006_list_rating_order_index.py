"""An index in the order of `movies/?ordering=-rating` (issue 11 item 18, PostgreSQL only; a
no-op elsewhere).

That ordering now sorts by the rating `rating_min` filters on
(apps.catalog.ratings.movie_rating_out_of_ten: TMDb's vote average where TMDb has votes, else
our users' mean doubled), then by the popularity order of 0004, instead of by TMDb's rating
alone, which on MovieLens data (no TMDb rating) listed the last imported ids first. Without
this index a page was a scan and a sort of every active movie. The expressions must stay the
SQL of movie_rating_out_of_ten() and apps.catalog.rankings.engagement();
apps/catalog/tests/test_movielens_data_lists.py checks on PostgreSQL that the page's plan uses
this index without a sort. Ascending rating (empty ratings still last) is rarer and is sorted.
"""

from django.db import migrations

NAME = "idx_movies_list_rating"


def _create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f'CREATE INDEX IF NOT EXISTS "{NAME}" ON "movies" ('
        '(CASE WHEN ("tmdb_rating" IS NOT NULL AND "tmdb_vote_count" > 0) THEN "tmdb_rating" '
        'WHEN "our_rating" IS NOT NULL THEN ("our_rating" * 2) ELSE "tmdb_rating" END) '
        "DESC NULLS LAST, "
        '(("rating_count" + (2 * "like_count") + "view_count") - "dislike_count") DESC, '
        '"popularity_score" DESC, "tmdb_vote_count" DESC, "id" ASC) WHERE "is_active"'
    )


def _drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f'DROP INDEX IF EXISTS "{NAME}"')


class Migration(migrations.Migration):
    dependencies = [("catalog", "0005_providers_episode_cast_show_tmdb_optional")]

    operations = [migrations.RunPython(_create, _drop)]
