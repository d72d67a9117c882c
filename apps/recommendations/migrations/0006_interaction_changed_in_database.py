"""PostgreSQL: what an interaction write does to the user's recommendations, in the database.

``interaction_changed_in_database`` (made by interactions migration 0007 as a function that does
nothing) becomes the statements of ``receivers._change_count_bump``: take the movie out of the
user's served lists when the change excludes it (a row of an excluding type added or changed,
``training.EXCLUDING_TYPES``), then bump the user's change counter and make their refresh due,
making their state if they have none. The interactions app's database writes call it in their
transaction (interaction_membership_add), and on PostgreSQL the receiver sends a call of it for
the writes made in Python, so the statements exist once on PostgreSQL. The excluding types are
written out here; a test checks them against ``EXCLUDING_TYPES`` (test_receivers.py).
"""

from django.db import migrations

HOOK = """
CREATE OR REPLACE FUNCTION interaction_changed_in_database(
    p_user bigint, p_movie bigint, p_type varchar, p_removed boolean, p_at timestamptz
) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    -- The rows before the state, in the order a store of the user's lists takes them
    -- (apps/recommendations/storing.py): the other order deadlocked with a store.
    IF NOT p_removed AND p_type IN ('rating', 'favorite', 'dislike', 'like', 'watchlist') THEN
        UPDATE user_recommendations SET rank = NULL
         WHERE user_id = p_user AND movie_id = p_movie AND rank IS NOT NULL;
    END IF;
    INSERT INTO recommendation_states (user_id, change_count, refreshed_count, refresh_due_at)
    VALUES (p_user, 1, 0, p_at)
    ON CONFLICT (user_id) DO UPDATE
       SET change_count = recommendation_states.change_count + 1,
           refresh_due_at = COALESCE(recommendation_states.refresh_due_at, p_at);
END
$$
"""

NOTHING = """
CREATE OR REPLACE FUNCTION interaction_changed_in_database(
    p_user bigint, p_movie bigint, p_type varchar, p_removed boolean, p_at timestamptz
) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    -- Replaced by the apps that react to interaction writes (interactions migration 0007).
END
$$
"""


def replace(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(HOOK)


def restore(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(NOTHING)


class Migration(migrations.Migration):
    dependencies = [
        ("recommendations", "0005_refresh_due"),
        ("interactions", "0007_membership_add_in_database"),
    ]

    operations = [migrations.RunPython(replace, restore, elidable=False)]
