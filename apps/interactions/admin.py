"""Admin for editors. Review and note text is shown through Django's escaping only (never
mark_safe or format_html of user text). Interaction rows are read-only here: changing them
by hand would put the movie aggregates out of step (the services keep those in step)."""

from django.contrib import admin

from apps.interactions.models import EpisodeReview, Interaction, UserList, UserListItem


@admin.register(Interaction)
class InteractionAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "movie", "interaction_type", "rating", "count", "timestamp"]
    list_filter = ["interaction_type", "source"]
    search_fields = ["user__username", "movie__title"]
    raw_id_fields = ["user", "movie"]
    list_select_related = ["user", "movie"]
    date_hierarchy = "timestamp"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class UserListItemInline(admin.TabularInline):
    """Read-only: the services keep positions 1..n without gaps; hand edits could break that."""

    model = UserListItem
    fields = ["position", "movie", "added_at"]
    readonly_fields = ["position", "movie", "added_at"]
    extra = 0
    ordering = ["position"]
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(UserList)
class UserListAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "user", "is_public", "updated_at"]
    list_filter = ["is_public"]
    search_fields = ["name", "user__username"]
    raw_id_fields = ["user"]
    readonly_fields = ["share_slug", "created_at", "updated_at"]
    list_select_related = ["user"]
    inlines = [UserListItemInline]


@admin.register(EpisodeReview)
class EpisodeReviewAdmin(admin.ModelAdmin):
    """Moderation: editors hide a review by clearing ``active``."""

    list_display = ["id", "episode", "user", "rating", "review", "active", "created"]
    list_filter = ["active", "rating"]
    list_editable = ["active"]
    search_fields = ["review", "user__username"]
    raw_id_fields = ["episode", "user"]
    readonly_fields = ["created", "updated"]
    list_select_related = ["episode", "user"]
