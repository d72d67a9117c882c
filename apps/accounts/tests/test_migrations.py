"""apps/accounts/migrations/0004 and 0005: existing rows get their compared forms, and
collisions the old Lower() constraints let through are resolved without losing a row."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("accounts", "0003_user_email_version")]
AFTER = [("accounts", "0005_user_identity_constraints")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_existing_rows_are_normalised_and_collisions_keep_the_oldest_account():
    old_apps = _migrate(BEFORE)
    User = old_apps.get_model("accounts", "User")
    rows = [
        ("rc_i_x", "rc@example.com"),
        ("rc_\u0131_x", "other@example.com"),  # looked equal to UPPER(), not to Lower()
        ("\uff26\uff55\uff4c\uff4c", "full@Example.COM"),
        ("ross", "ross@example.com"),
        ("ross2", "ro\u017f\u017f@example.com"),  # the same mailbox once folded
    ]
    ids = [User.objects.create(username=name, email=email).pk for name, email in rows]

    new_apps = _migrate(AFTER)
    User = new_apps.get_model("accounts", "User")
    users = {user.pk: user for user in User.objects.all()}

    assert len(users) == len(rows)  # nothing lost
    first, dotless, full, ross, ross2 = (users[pk] for pk in ids)
    assert (first.username_key, first.username_skeleton) == ("rc_i_x", "rc_i_x")
    # A look-alike that folds differently keeps its own key (it still logs in by name) but
    # holds no skeleton claim: the oldest account does.
    assert dotless.username_key == "rc_\u0131_x"
    assert dotless.username_skeleton == f"rc_i_x#{dotless.pk}"
    assert (full.username, full.username_key, full.email) == ("Full", "full", "full@example.com")
    assert ross.email_key == "ross@example.com"
    assert ross2.email_key == f"ross@example.com#{ross2.pk}"
    assert ross2.email == "ross@example.com"  # stored in NFKC; the key stays distinct
