"""sync_tmdb: pull lists, single movies and enrichment from TMDb (see docs/tmdb.md)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.tmdb import services
from apps.tmdb.exceptions import TMDbNotFound, TMDbUnavailable

# Names accepted by --lists -> TMDbList keys.
LIST_CHOICES: dict[str, list[str]] = {
    "popular": ["movie_popular"],
    "top_rated": ["movie_top_rated"],
    "upcoming": ["movie_upcoming"],
    "now_playing": ["movie_now_playing"],
    "trending": ["movie_trending_day", "movie_trending_week"],
    "trending_day": ["movie_trending_day"],
    "trending_week": ["movie_trending_week"],
    "tv_popular": ["tv_popular"],
    "tv_top_rated": ["tv_top_rated"],
    "tv": ["tv_popular", "tv_top_rated"],
}


def _list_keys(value: str) -> list[str]:
    keys: list[str] = []
    for name in (part.strip() for part in value.split(",")):
        if not name:
            continue
        if name not in LIST_CHOICES:
            raise CommandError(
                f"Unknown list {name!r}; choose from {', '.join(LIST_CHOICES)} (comma-separated)."
            )
        keys += [key for key in LIST_CHOICES[name] if key not in keys]
    return keys


class Command(BaseCommand):
    help = (
        "Pull from TMDb into the database. Without options: genres and every list (movie "
        "popular, top rated, upcoming, now playing, trending day and week; TV popular and top "
        "rated), a batch of shows with seasons and episodes, and popular people with a batch "
        "of details. Needs TMDB_API_KEY or TMDB_READ_TOKEN."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--lists",
            default=None,
            help=f"comma-separated lists to sync: {', '.join(LIST_CHOICES)}",
        )
        parser.add_argument("--pages", type=int, default=1, help="pages per list (20 items each)")
        parser.add_argument(
            "--movie", type=int, action="append", default=[], metavar="TMDB_ID",
            help="fetch this movie's details and credits (repeatable)",
        )  # fmt: skip
        parser.add_argument(
            "--enrich", action="store_true", help="fill details of movies known only by id"
        )
        parser.add_argument(
            "--shows", action="store_true",
            help="sync seasons and episodes of shows never synced or airing",
        )  # fmt: skip
        parser.add_argument(
            "--people", action="store_true",
            help="sync popular people and the details of those never fetched",
        )  # fmt: skip
        parser.add_argument(
            "--limit", type=int, default=None,
            help="enrich at most this many movies (default: all); with --shows or --people, "
            "at most this many shows or people's details (default: the batch size setting)",
        )  # fmt: skip

    def handle(self, *args, lists, pages, movie, enrich, shows, people, limit, **options):
        if not settings.TMDB_ENABLED:
            raise CommandError(
                "TMDb is not configured: set TMDB_API_KEY (v3 key) or TMDB_READ_TOKEN "
                "(v4 read token), and TMDB_BASE_URL for a TMDb-compatible server."
            )
        if pages < 1 or pages > 500:
            raise CommandError("--pages must be between 1 and 500 (TMDb refuses page > 500).")
        if limit is not None and limit < 1:
            raise CommandError("--limit must be a positive number.")
        keys = _list_keys(lists) if lists is not None else []
        everything = lists is None and not movie and not enrich and not shows and not people
        if everything:
            keys = list(services.LISTS)
        failures: list[str] = []
        if everything:
            self._step("configuration and genres", failures, self._genres)
        for key in keys:
            self._step(f"list {key}", failures, lambda key=key: self._list(key, pages))
        for tmdb_id in movie:
            self._step(f"movie {tmdb_id}", failures, lambda tmdb_id=tmdb_id: self._movie(tmdb_id))
        if enrich:
            self._step("enrichment", failures, lambda: self._enrich(limit))
        if shows or everything:
            batch = limit or settings.TMDB_SHOWS_BATCH_SIZE
            self._step("shows", failures, lambda: self._shows(batch))
        if people or everything:
            batch = limit or settings.TMDB_PEOPLE_DETAILS_BATCH_SIZE
            self._step("people", failures, lambda: self._people(pages, batch))
        if failures:
            raise CommandError(f"TMDb sync failed for: {', '.join(failures)}.")

    def _step(self, label: str, failures: list[str], run) -> None:
        try:
            message = run()
        except (TMDbUnavailable, TMDbNotFound) as exc:
            failures.append(label)
            self.stderr.write(f"{label}: {exc.message}")
            return
        self.stdout.write(f"{label}: {message}")

    def _genres(self) -> str:
        services.configuration_sync()
        return f"{services.genres_sync()} genres"

    def _list(self, key: str, pages: int) -> str:
        return f"{services.list_sync(key=key, pages=pages)} items"

    def _movie(self, tmdb_id: int) -> str:
        stored = services.movie_sync_from_tmdb(tmdb_id=tmdb_id)
        return f"stored as #{stored.pk} {stored.title!r}"

    def _shows(self, limit: int) -> str:
        result = services.shows_sync(limit=limit)
        if result.stopped_by:
            raise TMDbUnavailable(f"{result.done} synced, then stopped: {result.stopped_by}")
        left = services.shows_to_sync().count()
        return f"{result.done} shows with seasons and episodes, {left} left"

    def _people(self, pages: int, limit: int) -> str:
        result = services.people_popular_sync(pages=pages, details=limit)
        if result.stopped_by:
            raise TMDbUnavailable(f"{result.done} fetched, then stopped: {result.stopped_by}")
        return f"{result.done} people's details"

    def _enrich(self, limit: int | None) -> str:
        if limit is None:
            limit = services.movies_to_enrich().count()
        result = services.movies_enrich(limit=limit)
        if result.stopped_by:
            raise TMDbUnavailable(f"{result.enriched} enriched, then stopped: {result.stopped_by}")
        return (
            f"{result.enriched} enriched, {len(result.not_found)} unknown to TMDb, "
            f"{result.remaining} left"
        )
