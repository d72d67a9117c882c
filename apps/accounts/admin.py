from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.accounts.admin_login import AccountAdminLoginForm
from apps.accounts.identity import identity_clean
from apps.accounts.models import Profile, User, UserFavoriteGenre
from apps.accounts.services.common import email_clean, taken_fields

# /admin/login/ goes through the login guard like auth/login/ (issue 11, item 3).
admin.site.login_form = AccountAdminLoginForm


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    fk_name = "user"
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fields = ["bio", "avatar", "preferred_language", "timezone", "country"]


class UserFavoriteGenreInline(admin.TabularInline):
    model = UserFavoriteGenre
    extra = 0
    raw_id_fields = ["genre"]


class _IdentityFieldsMixin:
    """Usernames and emails entered in the admin are normalised and checked like the API's
    (folded, and no look-alike of another account's username), so a clash is a form error,
    never a database error."""

    def _taken(self, field: str, value: str) -> str:
        errors = taken_fields(**{field: value}, exclude_user_id=self.instance.pk)
        if errors:
            raise ValidationError(errors[field][0], code="unique")
        return value

    def clean_username(self):
        return self._taken("username", identity_clean(self.cleaned_data["username"]))

    def clean_email(self):
        return self._taken("email", email_clean(self.cleaned_data["email"]))


class AccountAdminUserCreationForm(_IdentityFieldsMixin, UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = User


class AccountAdminUserChangeForm(_IdentityFieldsMixin, UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = AccountAdminUserChangeForm
    add_form = AccountAdminUserCreationForm
    inlines = [ProfileInline]
    list_display = [
        "username",
        "email",
        "is_active",
        "is_premium",
        "is_staff",
        "email_verified_at",
        "date_joined",
    ]
    list_filter = ["is_active", "is_premium", "is_staff", "is_superuser"]
    search_fields = ["username", "email", "first_name", "last_name"]
    ordering = ["-date_joined"]
    readonly_fields = ["last_login", "date_joined", "created_at", "updated_at", "token_version"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (
            _("Personal info"),
            {"fields": ("first_name", "last_name", "email", "date_of_birth", "phone_number")},
        ),
        (_("Account"), {"fields": ("is_premium", "email_verified_at", "token_version")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (
            _("Important dates"),
            {"fields": ("last_login", "date_joined", "created_at", "updated_at")},
        ),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "email", "password1", "password2")}),
    )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Accounts created here get their profile (after the inline had its chance to).
        Profile.objects.get_or_create(user=form.instance)


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "preferred_language", "timezone", "country"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__email"]
    raw_id_fields = ["user"]
    inlines = [UserFavoriteGenreInline]
