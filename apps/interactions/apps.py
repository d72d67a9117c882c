from django.apps import AppConfig


class InteractionsConfig(AppConfig):
    name = "apps.interactions"
    label = "interactions"
    verbose_name = "Interactions"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model

        from apps.catalog.hooks import movie_user_state
        from apps.interactions import receivers, selectors

        receivers.connect(get_user_model())
        movie_user_state.provide(selectors.movie_user_state)
