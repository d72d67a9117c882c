"""apps/accounts/services/profile.py, called directly."""

import pytest

from apps.accounts.models import Profile, User
from apps.accounts.selectors import favorite_genre_list
from apps.accounts.services.profile import favorite_genres_set, user_update
from apps.accounts.tests.factories import UserFactory
from apps.accounts.tests.helpers import PASSWORD
from apps.catalog.tests.factories import GenreFactory
from apps.core.exceptions import InvalidInput

pytestmark = pytest.mark.django_db


def test_user_update_changes_the_user_and_creates_a_missing_profile():
    user = User.objects.create_user(username="bare", email="bare@example.com", password=PASSWORD)

    user_update(user=user, user_fields={"first_name": "Ada"}, profile_fields={"country": "Peru"})

    user.refresh_from_db()
    assert user.first_name == "Ada"
    assert Profile.objects.get(user=user).country == "Peru"


def test_user_update_of_the_email_needs_the_current_password_and_unverifies_it(
    django_capture_on_commit_callbacks,
):
    user = UserFactory(email="old@example.com")
    User.objects.filter(pk=user.pk).update(email_verified_at="2024-01-01T00:00:00Z")

    with pytest.raises(InvalidInput):
        user_update(user=user, user_fields={"email": "new@example.com"}, profile_fields={})
    with django_capture_on_commit_callbacks(execute=False):
        user_update(
            user=user,
            user_fields={"email": " New@Example.com "},
            profile_fields={},
            current_password=PASSWORD,
        )

    user.refresh_from_db()
    assert (user.email, user.email_verified_at) == ("New@example.com", None)


def test_user_update_refuses_an_email_another_account_holds():
    UserFactory(email="taken@example.com")
    user = UserFactory()

    with pytest.raises(InvalidInput) as refused:
        user_update(
            user=user,
            user_fields={"email": "TAKEN@example.com"},
            profile_fields={},
            current_password=PASSWORD,
        )

    assert list(refused.value.details) == ["email"]


def test_favorite_genres_set_replaces_the_set_and_refuses_unknown_ids():
    user = UserFactory()
    drama, comedy, horror = (GenreFactory(name=name) for name in ("Drama", "Comedy", "Horror"))
    favorite_genres_set(user=user, genre_ids=[drama.pk, comedy.pk, drama.pk])

    favorite_genres_set(user=user, genre_ids=[horror.pk, comedy.pk])
    with pytest.raises(InvalidInput) as refused:
        favorite_genres_set(user=user, genre_ids=[drama.pk, 10**9])

    assert list(favorite_genre_list(user=user)) == [comedy, horror]
    assert str(10**9) in refused.value.message
