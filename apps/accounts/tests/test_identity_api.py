"""Usernames and emails in one normal form (issue 11 item 7): NFKC and case folding at the
door, one compared form for look-ups and constraints, and no look-alike usernames."""

import threading

import pytest
from django.core import mail
from django.db import connection

from apps.accounts.identity import identity_fold, username_skeleton
from apps.accounts.models import User
from apps.accounts.tests.factories import UserFactory
from apps.accounts.tests.helpers import PASSWORD, login
from apps.core.testing import postgres_only
from conftest import client_for

pytestmark = pytest.mark.django_db
REGISTER = "/api/v1/auth/register/"


def register(client, username: str, email: str | None = None):
    body = {
        "username": username,
        "email": email or f"{identity_fold(username).encode('ascii', 'replace').decode()}@ex.org",
        "password": "plum-orchard-velvet-42",
    }
    return client.post(REGISTER, body, format="json")


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("rc_i_x", "rc_\u0131_x"),  # dotless i: UPPER() made these equal, Lower() did not
        ("ada", "\u0430da"),  # Cyrillic a
        ("ross", "ro\u017f\u017f"),  # long s folds to s
        ("ross", "\uff32\uff2f\uff33\uff33"),  # full-width letters
        ("bob", "b0b"),
        ("emma", "ernrna"),
    ],
)
def test_a_username_that_folds_or_looks_like_a_taken_one_is_refused(api_client, first, second):
    assert register(api_client, first, "first@example.com").status_code == 201

    response = register(api_client, second, "second@example.com")

    assert response.status_code == 400
    assert list(response.json()["error"]["details"]) == ["username"]
    assert User.objects.count() == 1


def test_both_spellings_of_a_dotless_i_name_log_in_to_the_one_account(api_client):
    register(api_client, "rc_i_x", "rc@example.com")

    assert login(api_client, "RC_I_X", "plum-orchard-velvet-42").status_code == 200
    # The dotless spelling is another name (it folds differently) and no account has it.
    assert login(api_client, "rc_\u0131_x", "plum-orchard-velvet-42").status_code == 401


def test_usernames_are_stored_in_nfkc_and_keep_their_case(api_client):
    response = register(api_client, "\uff21\uff44\uff41_Lovelace", "ada@example.com")

    assert response.status_code == 201
    assert response.json()["data"]["username"] == "Ada_Lovelace"
    user = User.objects.get()
    assert (user.username, user.username_key) == ("Ada_Lovelace", "ada_lovelace")
    assert login(api_client, "ADA_LOVELACE", "plum-orchard-velvet-42").status_code == 200


def test_an_email_taken_in_another_spelling_is_refused(api_client):
    register(api_client, "ross", "ross@example.com")

    response = register(api_client, "ross2", "RO\u017f\u017f@Example.com")

    assert response.status_code == 400
    assert list(response.json()["error"]["details"]) == ["email"]


def test_login_by_email_compares_the_folded_form(api_client):
    register(api_client, "ross", "ross@example.com")

    response = login(api_client, "RO\u017f\u017f@EXAMPLE.COM", "plum-orchard-velvet-42")

    assert response.status_code == 200


def test_every_spelling_of_an_address_shares_one_reset_cooldown(
    api_client, django_capture_on_commit_callbacks
):
    UserFactory(username="ross", email="ross@example.com")

    for spelling in ("ross@example.com", "ro\u017f\u017f@example.com", "ROSS@example.com"):
        with django_capture_on_commit_callbacks(execute=True):
            response = api_client.post("/api/v1/auth/password/reset/", {"email": spelling})
        assert response.status_code == 200

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ross@example.com"]


def test_a_dotless_i_spelling_of_an_address_reaches_no_account(
    api_client, django_capture_on_commit_callbacks
):
    UserFactory(username="rcix", email="rcix@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        api_client.post("/api/v1/auth/password/reset/", {"email": "rc\u0131x@example.com"})

    assert mail.outbox == []


def test_changing_the_email_to_another_accounts_in_another_spelling_is_refused(user):
    UserFactory(username="ross", email="ross@example.com")

    response = client_for(user).patch(
        "/api/v1/me/",
        {"email": "RO\u017f\u017f@example.com", "current_password": PASSWORD},
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()["error"]["details"]) == ["email"]


def test_every_save_keeps_the_compared_forms(db):
    user = UserFactory(username="Stra\u00dfe", email="Someone@Example.COM")

    assert (user.username_key, user.email_key) == ("strasse", "someone@example.com")
    user.username = "Wieland"
    user.save(update_fields=["username"])
    user.refresh_from_db()
    assert (user.username_key, user.username_skeleton) == ("wieland", username_skeleton("wieland"))


def test_users_created_in_bulk_get_their_compared_forms_too(db):
    User.objects.bulk_create([User(username="ml_10", email="ml_10@movielens.invalid")])

    assert User.objects.get(username_key="ml_10").email_key == "ml_10@movielens.invalid"


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_look_alike_registrations_at_once_make_one_user_and_one_400():
    from rest_framework.test import APIClient

    barrier = threading.Barrier(2)
    statuses = []

    def attempt(username: str, email: str):
        try:
            barrier.wait(timeout=5)
            statuses.append(register(APIClient(), username, email).status_code)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=attempt, args=("rc_i_x", "one@example.com")),
        threading.Thread(target=attempt, args=("rc_\u0131_x", "two@example.com")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [201, 400]
    assert User.objects.count() == 1
    assert (
        login(APIClient(), User.objects.get().username, "plum-orchard-velvet-42").status_code == 200
    )
