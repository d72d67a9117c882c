"""Reads of the accounts app."""

from django.db.models import QuerySet

from apps.accounts.models import Profile, User, UserFavoriteGenre
from apps.catalog.models import Genre


def user_for_login(*, identifier: str) -> User | None:
    """The user a login name designates (a username, or an email when it holds an @)."""
    try:
        return User.objects.get_by_natural_key(identifier)
    except (User.DoesNotExist, User.MultipleObjectsReturned):
        return None


def user_with_profile(*, user_id: int) -> User:
    """The user with the profile joined in, for the ``me`` endpoints (one query)."""
    user = User.objects.select_related("profile").get(pk=user_id)
    if not hasattr(user, "profile"):
        # Accounts created outside registration (createsuperuser, imports) may lack a profile:
        # show its defaults; the first write creates it.
        user.profile = Profile(user=user)
    return user


def favorite_genre_list(*, user: User) -> QuerySet[Genre]:
    """The genres a user picked, by name."""
    picked = UserFavoriteGenre.objects.filter(profile__user=user).values("genre_id")
    return Genre.objects.filter(pk__in=picked).order_by("name")
