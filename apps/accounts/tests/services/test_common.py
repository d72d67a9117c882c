"""apps/accounts/services/common.py, called directly."""

import pytest
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from apps.accounts.services.common import (
    cooldown_wait,
    password_set,
    password_validate,
    refresh_tokens_revoke,
    taken_error,
    taken_fields,
)
from apps.accounts.tests.factories import UserFactory
from apps.accounts.tokens import token_pair_for
from apps.core.exceptions import InvalidInput

pytestmark = pytest.mark.django_db


def test_password_validate_names_the_field_of_a_weak_password():
    user = UserFactory(username="marlowe")

    with pytest.raises(InvalidInput) as refused:
        password_validate(password="marlowe", user=user, field="new_password")

    assert list(refused.value.details) == ["new_password"]
    password_validate(password="plum-orchard-velvet-42", user=user, field="new_password")


def test_taken_fields_names_what_another_account_holds_without_regard_to_case():
    holder = UserFactory(username="Deckard", email="rick@tyrell.example")

    assert set(taken_fields(username="deckard", email="RICK@tyrell.example")) == {
        "username",
        "email",
    }
    assert taken_fields(username="rachael", email="rachael@tyrell.example") == {}
    assert taken_fields(username="DECKARD", exclude_user_id=holder.pk) == {}


def test_taken_error_is_a_400_led_by_the_first_field():
    error = taken_error({"email": ["taken"], "username": ["taken too"]})

    assert (error.status_code, error.message) == (400, "email: taken")
    assert error.details == {"email": ["taken"], "username": ["taken too"]}


def test_refresh_tokens_revoke_blacklists_every_live_refresh_token_of_the_user_only():
    user, other = UserFactory(), UserFactory()
    for person in (user, user, other):
        token_pair_for(person)

    assert refresh_tokens_revoke(user=user) == 2
    assert refresh_tokens_revoke(user=user) == 0
    revoked = BlacklistedToken.objects.values_list("token__user_id", flat=True)
    assert list(revoked) == [user.pk, user.pk]
    assert OutstandingToken.objects.filter(user=other, blacklistedtoken__isnull=True).exists()


def test_password_set_stores_the_password_bumps_the_version_and_revokes_refresh_tokens():
    user = UserFactory()
    token_pair_for(user)

    password_set(user=user, password="plum-orchard-velvet-42")

    user.refresh_from_db()
    assert user.check_password("plum-orchard-velvet-42")
    assert user.token_version == 1
    assert not OutstandingToken.objects.filter(user=user, blacklistedtoken__isnull=True).exists()


def test_cooldown_wait_lets_the_first_caller_go_and_tells_the_next_how_long_to_wait():
    assert cooldown_wait(key="test:cooldown", cooldown=60) == 0
    assert 1 <= cooldown_wait(key="test:cooldown", cooldown=60) <= 61
    assert cooldown_wait(key="test:another", cooldown=60) == 0
