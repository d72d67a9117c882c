from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "apps.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        # The outbox renderers of the notification kinds, the push channel, and the receiver
        # that gives every new user default preferences.
        from apps.notifications import receivers  # noqa: F401
        from apps.notifications.services import push, rendering  # noqa: F401
