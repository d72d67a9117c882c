from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.accounts.admin_login import AccountAdminLoginForm
from apps.accounts.models import Profile, User, UserFavoriteGenre

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


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
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
