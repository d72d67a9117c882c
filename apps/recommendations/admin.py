"""Admin views of recommendations: inspect lists, feedback and model versions; activate one."""

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction

from apps.recommendations.engines.hybrid import COMPONENT_NAMES
from apps.recommendations.experiments import experiments_changed
from apps.recommendations.models import (
    DismissedMovie,
    Experiment,
    ExperimentArm,
    ModelArtifact,
    RecommendationFeedback,
    RecommendationImpression,
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


class ExperimentArmForm(forms.ModelForm):
    class Meta:
        model = ExperimentArm
        fields = ["name", "share", "engine", "weights"]

    def clean_weights(self):
        weights = self.cleaned_data.get("weights") or {}
        if not isinstance(weights, dict):
            raise ValidationError("A JSON object of component weights.")
        unknown = sorted(set(weights) - set(COMPONENT_NAMES))
        if unknown:
            raise ValidationError(f"Unknown components {unknown}; known: {list(COMPONENT_NAMES)}.")
        for name, weight in weights.items():
            if isinstance(weight, bool) or not isinstance(weight, int | float) or weight < 0:
                raise ValidationError(f"The weight of {name} must be a number, 0 or more.")
        return weights

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("weights") and cleaned.get("engine") != "hybrid":
            raise ValidationError("Blend weights apply to the hybrid engine only.")
        return cleaned


class ExperimentArmFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        total = sum(
            (
                form.cleaned_data.get("share") or Decimal(0)
                for form in self.forms
                if form.cleaned_data and not form.cleaned_data.get("DELETE")
            ),
            Decimal(0),
        )
        if total > 1:
            raise ValidationError(f"The arms' shares add up to {total}: at most 1.")


class ExperimentArmInline(admin.TabularInline):
    model = ExperimentArm
    form = ExperimentArmForm
    formset = ExperimentArmFormSet
    extra = 2


@admin.register(Experiment)
class ExperimentAdmin(admin.ModelAdmin):
    """Experiments and their arms; saving one makes every user's lists follow it."""

    list_display = ["name", "is_active", "created_at"]
    list_filter = ["is_active"]
    inlines = [ExperimentArmInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        transaction.on_commit(experiments_changed)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        transaction.on_commit(experiments_changed)


@admin.register(RecommendationImpression)
class RecommendationImpressionAdmin(admin.ModelAdmin):
    list_display = ["day", "engine", "experiment", "arm", "bucket", "impressions", "requests"]
    list_filter = ["engine", "experiment", "day"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
