"""Admin views of recommendations: inspect lists, feedback and model versions; activate one."""

from django.contrib import admin, messages

from apps.recommendations.models import (
    DismissedMovie,
    ModelArtifact,
    RecommendationFeedback,
    UserRecommendation,
)
from apps.recommendations.registry import artifact_activate


@admin.register(UserRecommendation)
class UserRecommendationAdmin(admin.ModelAdmin):
    list_display = ["user", "movie", "algorithm", "rank", "score", "clicked", "generated_at"]
    list_filter = ["algorithm", "clicked"]
    list_select_related = ["user", "movie"]
    search_fields = ["user__username", "movie__title"]
    raw_id_fields = ["user", "movie"]
    readonly_fields = ["generated_at", "clicked_at"]
    ordering = ["user", "algorithm", "rank"]


@admin.register(RecommendationFeedback)
class RecommendationFeedbackAdmin(admin.ModelAdmin):
    list_display = ["user", "recommendation", "feedback_type", "timestamp"]
    list_filter = ["feedback_type"]
    list_select_related = ["user", "recommendation"]
    raw_id_fields = ["user", "recommendation"]
    search_fields = ["user__username", "comment"]


@admin.register(DismissedMovie)
class DismissedMovieAdmin(admin.ModelAdmin):
    list_display = ["user", "movie", "feedback_type", "created_at"]
    list_filter = ["feedback_type"]
    list_select_related = ["user", "movie"]
    raw_id_fields = ["user", "movie"]


@admin.register(ModelArtifact)
class ModelArtifactAdmin(admin.ModelAdmin):
    """Trained versions; an editor can roll back by activating an older one."""

    list_display = ["engine", "version", "is_active", "created_at", "activated_at", "path"]
    list_filter = ["engine", "is_active"]
    readonly_fields = [
        "engine",
        "version",
        "path",
        "created_at",
        "activated_at",
        "is_active",
        "stats",
    ]
    actions = ["activate"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description="Activate the selected version (one per engine)")
    def activate(self, request, queryset):
        chosen = list(queryset)
        if len({artifact.engine for artifact in chosen}) != len(chosen):
            self.message_user(request, "Pick at most one version per engine.", messages.ERROR)
            return
        for artifact in chosen:
            artifact_activate(artifact=artifact)
        self.message_user(request, f"Activated {len(chosen)} version(s).")
