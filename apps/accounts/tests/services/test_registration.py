"""apps/accounts/services/registration.py, called directly."""

import pytest
from django.core import mail

from apps.accounts.models import Profile, User
from apps.accounts.services.registration import user_register
from apps.accounts.tests.factories import UserFactory
from apps.accounts.tests.helpers import PASSWORD
from apps.core.exceptions import InvalidInput

pytestmark = pytest.mark.django_db


def test_user_register_creates_the_user_and_profile_then_mails_a_verification_link(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        user = user_register(
            username=" newcomer ",
            email="Newcomer@EXAMPLE.com",
            password=PASSWORD,
            user_fields={"first_name": "Nia"},
            profile_fields={"country": "Ghana"},
        )

    user.refresh_from_db()
    assert (user.username, user.email, user.first_name) == (
        "newcomer",
        "Newcomer@example.com",
        "Nia",
    )
    assert user.check_password(PASSWORD)
    assert Profile.objects.get(user=user).country == "Ghana"
    assert [message.to for message in mail.outbox] == [["Newcomer@example.com"]]


def test_user_register_refuses_a_taken_name_or_a_weak_password_and_creates_nothing():
    UserFactory(username="Taken")

    with pytest.raises(InvalidInput) as taken:
        user_register(username="taken", email="x@example.com", password=PASSWORD)
    with pytest.raises(InvalidInput) as weak:
        user_register(username="fresh", email="fresh@example.com", password="fresh")

    assert (list(taken.value.details), list(weak.value.details)) == (["username"], ["password"])
    assert User.objects.count() == 1
