"""What the tmdb app does when the catalog signals (apps.catalog.signals)."""

from apps.tmdb.services import movie_enrich_schedule


def movie_details_missing_receiver(sender, *, movie_id: int, tmdb_id: int, **kwargs) -> None:
    """A never-synced movie's detail was viewed: fetch its TMDb details in the background."""
    movie_enrich_schedule(movie_id=movie_id, tmdb_id=tmdb_id)
