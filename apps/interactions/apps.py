from django.apps import AppConfig


class InteractionsConfig(AppConfig):
    name = "apps.interactions"
    label = "interactions"
    verbose_name = "Interactions"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model

        from apps.interactions import receivers

        receivers.connect(get_user_model())
