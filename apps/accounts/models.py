from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models

from apps.accounts.identity import identity_fold, username_skeleton
from apps.core.models import TimeStampedModel


class AccountManager(UserManager):
    def get_by_natural_key(self, username):
        """Log in with a username or an email, compared in their folded forms (NFKC and case
        folding: apps.accounts.identity)."""
        folded = identity_fold(username or "")
        field = "email_key" if "@" in folded else "username_key"
        return self.get(**{field: folded})

    def bulk_create(self, objs, *args, **kwargs):
        """Rows created in bulk (imports) get their comparison keys too: save() is skipped."""
        objs = list(objs)
        for user in objs:
            user.identity_keys_set()
        return super().bulk_create(objs, *args, **kwargs)


class User(AbstractUser):
    """A person with an account. Email is required and unique without regard to case."""

    email = models.EmailField("email address", max_length=254)
    date_of_birth = models.DateField(null=True, blank=True)
    is_premium = models.BooleanField(default=False)
    phone_number = models.CharField(max_length=20, null=True, blank=True)
    email_verified_at = models.DateTimeField(null=True, blank=True)
    # Bumped when the password changes or is reset; tokens carrying an older value are refused.
    token_version = models.PositiveIntegerField(default=0, editable=False)
    # Bumped whenever the email address changes (save() does it): email verification tokens
    # carry the value they were made under, so changing the address away and back does not
    # bring an old token back to life.
    email_version = models.PositiveIntegerField(default=0, editable=False)
    # The compared forms of the username and the email (apps.accounts.identity), kept by
    # save() and bulk_create(): every look-up and every unique constraint uses these, so they
    # cannot disagree. The skeleton makes look-alike usernames collide.
    username_key = models.TextField(editable=False)
    username_skeleton = models.TextField(editable=False)
    email_key = models.TextField(editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AccountManager()

    REQUIRED_FIELDS = ["email"]

    class Meta:
        db_table = "users"
        constraints = [
            models.UniqueConstraint(fields=["email_key"], name="unique_user_email_key"),
            models.UniqueConstraint(fields=["username_key"], name="unique_user_username_key"),
            models.UniqueConstraint(
                fields=["username_skeleton"], name="unique_user_username_skeleton"
            ),
            models.CheckConstraint(
                condition=~models.Q(username_key="") & ~models.Q(username_skeleton=""),
                name="user_username_keys_set",
            ),
        ]
        indexes = [
            models.Index(fields=["email"], name="idx_users_email"),
            models.Index(fields=["is_active"], name="idx_users_is_active"),
        ]

    def __str__(self) -> str:
        return self.username

    @classmethod
    def from_db(cls, db, field_names, values):
        user = super().from_db(db, field_names, values)
        user._loaded_email = user.__dict__.get("email")
        return user

    def identity_keys_set(self) -> None:
        """Compute the compared forms of the username and the email from their values."""
        self.username_key = identity_fold(self.username or "")
        self.username_skeleton = username_skeleton(self.username or "")
        self.email_key = identity_fold(self.email or "")

    def save(self, *args, **kwargs):
        self.identity_keys_set()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            extra = set()
            if "username" in update_fields:
                extra |= {"username_key", "username_skeleton"}
            if "email" in update_fields:
                extra.add("email_key")
            if extra:
                kwargs["update_fields"] = update_fields = {*update_fields, *extra}
        loaded = getattr(self, "_loaded_email", None)
        email_saved = update_fields is None or "email" in update_fields
        if email_saved and loaded is not None and identity_fold(loaded) != self.email_key:
            self.email_version = models.F("email_version") + 1
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "email_version"}
        super().save(*args, **kwargs)
        if isinstance(self.email_version, models.expressions.Combinable):
            self.refresh_from_db(fields=["email_version"])
        self._loaded_email = self.email


class Profile(TimeStampedModel):
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile")
    bio = models.TextField(blank=True, default="", max_length=2000)
    avatar = models.URLField(max_length=200, null=True, blank=True)
    preferred_language = models.CharField(max_length=10, default="en")
    timezone = models.CharField(max_length=50, default="UTC")
    country = models.CharField(max_length=50, blank=True, default="")
    favorite_genres = models.ManyToManyField(
        "catalog.Genre", through="UserFavoriteGenre", related_name="+", blank=True
    )

    class Meta:
        db_table = "user_profiles"
        indexes = [models.Index(fields=["country"], name="idx_user_profiles_country")]

    def __str__(self) -> str:
        return f"Profile of {self.user_id}"


class UserFavoriteGenre(models.Model):
    """The seed's user_favorite_genres: genres a user likes, used for cold-start."""

    profile = models.ForeignKey(
        Profile,
        on_delete=models.CASCADE,
        related_name="favorite_genre_links",
        db_column="userprofile_id",
    )
    genre = models.ForeignKey("catalog.Genre", on_delete=models.CASCADE, related_name="+")

    class Meta:
        db_table = "user_favorite_genres"
        constraints = [
            models.UniqueConstraint(fields=["profile", "genre"], name="unique_user_favorite_genre")
        ]

    def __str__(self) -> str:
        return f"{self.profile_id}:{self.genre_id}"
