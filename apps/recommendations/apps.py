from django.apps import AppConfig


class RecommendationsConfig(AppConfig):
    name = "apps.recommendations"
    label = "recommendations"
    verbose_name = "Recommendations"

    def ready(self) -> None:
        from apps.accounts.signals import favorite_genres_changed
        from apps.interactions.signals import interaction_changed
        from apps.recommendations.receivers import (
            favorite_genres_changed_receiver,
            interaction_changed_receiver,
        )

        interaction_changed.connect(
            interaction_changed_receiver, dispatch_uid="recommendations_interaction_changed"
        )
        favorite_genres_changed.connect(
            favorite_genres_changed_receiver, dispatch_uid="recommendations_favorite_genres"
        )
