"""PostgreSQL: a membership write (a like, a dislike, a watchlist entry) as one database call.

``interaction_membership_add`` does in the database what ``services.membership_add`` does in
Python on other databases (apps/interactions/services/movie_interactions.py explains why, and
what the caller still does): lock the user's row, read the active movie's counters, delete the
excluded row (a like removes the dislike), insert the row unless it is there, note the counters'
changes for the fold, and call ``interaction_changed_in_database`` for each row changed (with
the row's time). It answers the movie's counters as read, what it did, and the user's rows on
the movie after it.

``interaction_changed_in_database`` is the database side of the ``interaction_changed`` signal:
made here as a function that does nothing, so that this app needs no other; the recommendations
app replaces it with its own statements (its migration 0006). A PL/pgSQL function's statements
are planned once per database session and kept, which PgBouncer's transaction pooling otherwise
rules out for plain statements (config/settings/env.py).

Each statement of a VOLATILE function runs on a new snapshot under READ COMMITTED, so the read
of the user's rows after the lock sees every write of theirs committed before the lock was
granted, as the Python path's separate statement does.
"""

from django.db import migrations

HOOK = """
CREATE OR REPLACE FUNCTION interaction_changed_in_database(
    p_user bigint, p_movie bigint, p_type varchar, p_removed boolean, p_at timestamptz
) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    -- Replaced by the apps that react to interaction writes (module doc).
END
$$
"""

MEMBERSHIP_ADD = """
CREATE OR REPLACE FUNCTION interaction_membership_add(
    p_user bigint, p_movie bigint, p_type varchar, p_excluded varchar, p_source varchar,
    p_at timestamptz, p_added_likes integer, p_added_dislikes integer,
    p_removed_likes integer, p_removed_dislikes integer
) RETURNS TABLE (
    movie_id bigint, our_rating numeric, rating_count integer, rating_sum numeric,
    view_count integer, like_count integer, dislike_count integer,
    added boolean, excluded_removed boolean,
    row_id bigint, row_type varchar, row_rating numeric, row_notes text, row_count integer,
    row_at timestamptz
) LANGUAGE plpgsql AS $$
DECLARE
    movie record;
    removed_id bigint;
    found_id bigint;
BEGIN
    -- The user's row locked (their other writes wait), the movie read unlocked.
    SELECT m.id, m.our_rating, m.rating_count, m.rating_sum, m.view_count, m.like_count,
           m.dislike_count
      INTO movie
      FROM movies m, users u
     WHERE m.id = p_movie AND m.is_active AND u.id = p_user
       FOR NO KEY UPDATE OF u;
    IF NOT FOUND THEN
        RETURN;  -- no such active movie: no row answered
    END IF;
    IF p_excluded IS NOT NULL THEN
        DELETE FROM user_movie_interactions i
         WHERE i.user_id = p_user AND i.movie_id = p_movie AND i.interaction_type = p_excluded
        RETURNING i.id INTO removed_id;
        IF removed_id IS NOT NULL THEN
            IF p_removed_likes <> 0 OR p_removed_dislikes <> 0 THEN
                INSERT INTO movie_counter_changes (movie_id, recount, like_count, dislike_count,
                                                   view_count, rating_count, rating_sum)
                VALUES (p_movie, false, p_removed_likes, p_removed_dislikes, 0, 0, 0);
            END IF;
            PERFORM interaction_changed_in_database(p_user, p_movie, p_excluded, true, p_at);
        END IF;
    END IF;
    SELECT i.id INTO found_id
      FROM user_movie_interactions i
     WHERE i.user_id = p_user AND i.movie_id = p_movie AND i.interaction_type = p_type;
    IF found_id IS NULL THEN
        INSERT INTO user_movie_interactions (user_id, movie_id, interaction_type, rating, notes,
                                             count, source, timestamp)
        VALUES (p_user, p_movie, p_type, NULL, '', 1, p_source, p_at);
        IF p_added_likes <> 0 OR p_added_dislikes <> 0 THEN
            INSERT INTO movie_counter_changes (movie_id, recount, like_count, dislike_count,
                                               view_count, rating_count, rating_sum)
            VALUES (p_movie, false, p_added_likes, p_added_dislikes, 0, 0, 0);
        END IF;
        PERFORM interaction_changed_in_database(p_user, p_movie, p_type, false, p_at);
    END IF;
    RETURN QUERY
        SELECT movie.id, movie.our_rating, movie.rating_count, movie.rating_sum,
               movie.view_count, movie.like_count, movie.dislike_count,
               found_id IS NULL, removed_id IS NOT NULL,
               i.id, i.interaction_type, i.rating, i.notes, i.count, i.timestamp
          FROM user_movie_interactions i
         WHERE i.user_id = p_user AND i.movie_id = p_movie;
END
$$
"""

DROP = """
DROP FUNCTION IF EXISTS interaction_membership_add(
    bigint, bigint, varchar, varchar, varchar, timestamptz, integer, integer, integer, integer
);
DROP FUNCTION IF EXISTS interaction_changed_in_database(
    bigint, bigint, varchar, boolean, timestamptz
);
"""


def create(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(HOOK)
        schema_editor.execute(MEMBERSHIP_ADD)


def drop(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("interactions", "0006_user_time_index_covers_history"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
