from django.apps import AppConfig


class TmdbConfig(AppConfig):
    name = "apps.tmdb"
    label = "tmdb"
    verbose_name = "TMDb"

    def ready(self) -> None:
        from apps.catalog.hooks import movie_for_tmdb_id
        from apps.catalog.signals import movie_details_missing
        from apps.tmdb.receivers import movie_details_missing_receiver
        from apps.tmdb.services import movie_fetch_by_tmdb_id

        movie_for_tmdb_id.provide(movie_fetch_by_tmdb_id)
        movie_details_missing.connect(
            movie_details_missing_receiver, dispatch_uid="tmdb_movie_details_missing"
        )
