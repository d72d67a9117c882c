from django.apps import AppConfig


class TmdbConfig(AppConfig):
    name = "apps.tmdb"
    label = "tmdb"
    verbose_name = "TMDb"
