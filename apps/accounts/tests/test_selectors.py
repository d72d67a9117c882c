"""apps/accounts/selectors.py, called directly."""

import pytest

from apps.accounts.models import Profile, User, UserFavoriteGenre
from apps.accounts.selectors import favorite_genre_list, user_for_login, user_with_profile
from apps.accounts.tests.factories import UserFactory
from apps.catalog.tests.factories import GenreFactory

pytestmark = pytest.mark.django_db


def test_user_for_login_finds_a_username_or_an_email_without_regard_to_case():
    user = UserFactory(username="Ripley", email="ellen@nostromo.example")

    assert user_for_login(identifier="rIPLEY") == user
    assert user_for_login(identifier="ELLEN@Nostromo.example") == user
    assert user_for_login(identifier="ash") is None
    assert user_for_login(identifier="ripley@nostromo.example") is None


def test_user_with_profile_joins_the_profile_in_one_query(django_assert_num_queries):
    user = UserFactory()
    Profile.objects.filter(user=user).update(country="Kenya")

    with django_assert_num_queries(1):
        found = user_with_profile(user_id=user.pk)
        assert (found.pk, found.profile.country) == (user.pk, "Kenya")


def test_user_with_profile_shows_defaults_for_an_account_without_one_and_writes_nothing():
    user = User.objects.create_user(username="bare", email="bare@example.com", password="x")

    found = user_with_profile(user_id=user.pk)

    assert (found.profile.pk, found.profile.timezone) == (None, "UTC")
    assert not Profile.objects.filter(user=user).exists()


def test_favorite_genre_list_is_the_users_own_picks_by_name():
    western, action, drama = (GenreFactory(name=name) for name in ("Western", "Action", "Drama"))
    user, other = UserFactory(), UserFactory()
    for profile, genre in [(user.profile, western), (user.profile, action), (other.profile, drama)]:
        UserFavoriteGenre.objects.create(profile=profile, genre=genre)

    assert list(favorite_genre_list(user=user)) == [action, western]
