from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "apps.analytics"
    label = "analytics"
    verbose_name = "Analytics"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_delete

        from apps.analytics import receivers
        from apps.analytics.buffer import pending_send
        from apps.core.activity import activity_happened
        from apps.core.signals import process_stopping
        from apps.recommendations.signals import recommendations_served

        activity_happened.connect(
            receivers.activity_happened_receiver, dispatch_uid="analytics_activity_happened"
        )
        recommendations_served.connect(
            receivers.recommendations_served_receiver,
            dispatch_uid="analytics_recommendations_served",
        )
        process_stopping.connect(pending_send, dispatch_uid="analytics_pending_send")
        post_delete.connect(
            receivers.user_deleted_receiver,
            sender=get_user_model(),
            dispatch_uid="analytics_user_deleted",
        )
