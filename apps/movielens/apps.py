from django.apps import AppConfig


class MovielensConfig(AppConfig):
    name = "apps.movielens"
    label = "movielens"
    verbose_name = "MovieLens import"
