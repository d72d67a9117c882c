from django.apps import AppConfig


class FeedConfig(AppConfig):
    name = "apps.feed"
    label = "feed"
    verbose_name = "Home page and editorial"

    def ready(self) -> None:
        from apps.feed import receivers  # noqa: F401 - connects the cache drops
