"""Changing the user and the profile, and the favorite genres."""

from django.db import IntegrityError, transaction

from apps.accounts.emails import verification_email_queue
from apps.accounts.identity import identity_fold
from apps.accounts.models import Profile, User, UserFavoriteGenre
from apps.accounts.services.common import (
    EMAIL_TAKEN,
    email_clean,
    password_confirm,
    taken_error,
    taken_fields,
)
from apps.accounts.signals import favorite_genres_changed
from apps.catalog.models import Genre
from apps.core.exceptions import InvalidInput
from apps.core.signals import signal_send_robust

EMAIL_NEEDS_PASSWORD = "Changing the email address needs the current password."  # noqa: S105 - a message, not a secret


def user_update(
    *,
    user: User,
    user_fields: dict,
    profile_fields: dict,
    current_password: str | None = None,
) -> None:
    """Update the user and the profile together, in one transaction.

    A new email address needs the current password (a stolen access token must not be enough
    to take over the account through a reset link), is checked for uniqueness and must be
    verified again.
    """
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        email = user_fields.get("email")
        if email is not None:
            email = user_fields["email"] = email_clean(email)
        email_changed = email is not None and identity_fold(email) != locked.email_key
        if email_changed:
            password_confirm(
                user=locked,
                password=current_password,
                field="current_password",
                message=EMAIL_NEEDS_PASSWORD,
            )
            errors = taken_fields(email=user_fields["email"], exclude_user_id=locked.pk)
            if errors:
                raise taken_error(errors)
            locked.email_verified_at = None
        for name, value in user_fields.items():
            setattr(locked, name, value)
        try:
            with transaction.atomic():
                locked.save()
        except IntegrityError as exc:
            raise taken_error({"email": [EMAIL_TAKEN]}) from exc
        if profile_fields or not Profile.objects.filter(user=locked).exists():
            profile, _ = Profile.objects.get_or_create(user=locked)
            for name, value in profile_fields.items():
                setattr(profile, name, value)
            profile.save()
        if email_changed:
            verification_email_queue(user=locked)


def favorite_genres_set(*, user: User, genre_ids: list[int]) -> None:
    """Replace the user's favorite genres. Unknown ids are a 400 naming them."""
    wanted = list(dict.fromkeys(genre_ids))
    known = set(Genre.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    unknown = [genre_id for genre_id in wanted if genre_id not in known]
    if unknown:
        message = f"Unknown genre ids: {', '.join(str(genre_id) for genre_id in unknown)}."
        raise InvalidInput(message, details={"genre_ids": [message]})
    with transaction.atomic():
        # The user's row lock orders concurrent replacements of the same set.
        User.objects.select_for_update().filter(pk=user.pk).first()
        profile, _ = Profile.objects.get_or_create(user=user)
        links = UserFavoriteGenre.objects.filter(profile=profile)
        if set(links.values_list("genre_id", flat=True)) == set(wanted):
            return  # unchanged: nothing to write, and the recommendations stay fresh
        links.exclude(genre_id__in=wanted).delete()
        UserFavoriteGenre.objects.bulk_create(
            [UserFavoriteGenre(profile=profile, genre_id=genre_id) for genre_id in wanted],
            ignore_conflicts=True,
        )
        transaction.on_commit(
            lambda: signal_send_robust(favorite_genres_changed, sender=User, user_id=user.pk),
            robust=True,
        )
