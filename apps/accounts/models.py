from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower

from apps.core.models import TimeStampedModel


class AccountManager(UserManager):
    def get_by_natural_key(self, username):
        """Log in with a username or an email, either without regard to case."""
        field = "email__iexact" if "@" in (username or "") else "username__iexact"
        return self.get(**{field: username})


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
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AccountManager()

    REQUIRED_FIELDS = ["email"]

    class Meta:
        db_table = "users"
        constraints = [
            models.UniqueConstraint(Lower("email"), name="unique_user_email_ci"),
            models.UniqueConstraint(Lower("username"), name="unique_user_username_ci"),
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

    def save(self, *args, **kwargs):
        loaded = getattr(self, "_loaded_email", None)
        update_fields = kwargs.get("update_fields")
        email_saved = update_fields is None or "email" in update_fields
        if email_saved and loaded is not None and loaded.lower() != (self.email or "").lower():
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
