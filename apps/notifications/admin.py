"""Admin: templates (checked on save, previewed with example values), the outbox's logs
(filtered by status, kind and channel), devices and preferences."""

from django import forms
from django.contrib import admin
from django.template import TemplateSyntaxError
from django.utils.html import format_html

from apps.core.outbox.models import NotificationLog
from apps.core.outbox.rendering import parts_from_strings
from apps.notifications.models import NotificationPreference, NotificationTemplate, UserDevice
from apps.notifications.services.rendering import sample_context


def template_preview(template: NotificationTemplate) -> tuple[str, str, str]:
    return parts_from_strings(
        subject=template.subject,
        text=template.text_content,
        html=template.html_content,
        context=sample_context(),
    )


class NotificationTemplateForm(forms.ModelForm):
    class Meta:
        model = NotificationTemplate
        fields = ["name", "template_type", "subject", "text_content", "html_content", "is_active"]

    def clean(self):
        cleaned = super().clean()
        candidate = NotificationTemplate(
            subject=cleaned.get("subject", ""),
            text_content=cleaned.get("text_content", ""),
            html_content=cleaned.get("html_content", ""),
        )
        try:
            template_preview(candidate)
        except TemplateSyntaxError as exc:
            raise forms.ValidationError(f"The template does not render: {exc}") from exc
        return cleaned


@admin.register(NotificationTemplate)
class NotificationTemplateAdmin(admin.ModelAdmin):
    form = NotificationTemplateForm
    list_display = ["name", "template_type", "is_active", "updated_at"]
    list_filter = ["template_type", "is_active"]
    search_fields = ["name", "subject"]
    readonly_fields = ["preview"]
    fields = [
        "name",
        "template_type",
        "is_active",
        "subject",
        "text_content",
        "html_content",
        "preview",
    ]

    @admin.display(description="Preview (example values)")
    def preview(self, template: NotificationTemplate) -> str:
        if template.pk is None:
            return "Save to see a preview."
        try:
            subject, text, html = template_preview(template)
        except TemplateSyntaxError as exc:
            return f"The template does not render: {exc}"
        return format_html(
            '<p><strong>{}</strong></p><pre style="white-space: pre-wrap">{}</pre>'
            '<iframe sandbox srcdoc="{}" style="width:100%;height:24rem;border:1px solid #ccc">'
            "</iframe>",
            subject,
            text,
            html,
        )


@admin.register(NotificationLog)
class NotificationLogAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "kind",
        "notification_type",
        "recipient",
        "status",
        "attempts",
        "created_at",
        "sent_at",
    ]
    list_filter = ["status", "kind", "notification_type"]
    search_fields = ["recipient", "subject", "user__username", "idempotency_key"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    date_hierarchy = "created_at"
    readonly_fields = [field.name for field in NotificationLog._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(UserDevice)
class UserDeviceAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "device_type", "device_name", "is_active", "last_used_at"]
    list_filter = ["device_type", "is_active"]
    search_fields = ["user__username", "device_name"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    readonly_fields = ["registered_at", "last_used_at"]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = [
        "user",
        "weekly_digest",
        "recommendation_alerts",
        "push_recommendations",
        "digest_day",
        "digest_time",
        "timezone",
    ]
    list_filter = [
        "weekly_digest",
        "recommendation_alerts",
        "trending_alerts",
        "new_release_alerts",
        "digest_day",
    ]
    search_fields = ["user__username"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
