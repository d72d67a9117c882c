"""The MovieLens importer: movies, links, genres, tags, users and ratings, idempotently.

Every file is streamed with csv.reader and written in batches with bulk operations. What stays
in memory is bounded by the number of movies and users (id maps, links.csv's ids, tag counts
per movie and tag), never by the number of ratings. A second run over the same files changes
nothing: movies are matched by their MovieLens id, users by username, ratings by the
(user, movie, type) unique key, tags by (movie, tag).
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils.text import slugify

from apps.catalog.cache import catalog_lists_invalidate, genres_invalidate, movie_detail_invalidate
from apps.catalog.models import Genre, Movie, MovieGenre, MovieTag
from apps.interactions.models import Interaction
from apps.interactions.services.aggregates import movie_aggregates_recount
from apps.movielens.common import (
    ImportReport,
    Progress,
    batches,
    csv_rows,
    line_count,
    no_progress,
    to_int,
)
from apps.movielens.ratings import ratings_import
from apps.movielens.titles import GENRES, genres_parse, imdb_id_format, title_parse

BATCH_SIZE = 2000


def movielens_import(
    *,
    directory: Path,
    ratings_file: Path | None = None,
    progress: Progress = no_progress,
) -> ImportReport:
    """Import a MovieLens directory (movies.csv, links.csv, tags.csv, ratings.csv)."""
    directory = Path(directory)
    report = ImportReport()
    genre_pks = _genres_ensure()
    links = _links_read(directory / "links.csv")
    _movies_import(directory / "movies.csv", links, genre_pks, report, progress)
    movie_pks = dict(
        Movie.objects.filter(movielens_id__isnull=False).values_list("movielens_id", "pk")
    )
    if (directory / "tags.csv").exists():
        _tags_import(directory / "tags.csv", movie_pks, report, progress)
    ratings_path = Path(ratings_file) if ratings_file else directory / "ratings.csv"
    if ratings_path.exists():
        ratings_import(ratings_path, movie_pks, report, progress)
    # The aggregates of every MovieLens movie, by the service recount_interactions uses.
    changed = movie_aggregates_recount(movie_ids=movie_pks.values())
    report.movies_rescored = len(changed)
    # A movie this run created has no cached detail worth dropping (one request during the
    # import could have cached it; its TTL bounds that): skipping them saves a cache round
    # trip per movie on a first import.
    for pk in set(changed) - report.created_pks:
        movie_detail_invalidate(pk)
    catalog_lists_invalidate()
    genres_invalidate()
    _statistics_refresh()
    return report


def _statistics_refresh() -> None:
    """Refresh the planner's statistics of the tables a bulk load changed (PostgreSQL).

    Right after a first import autovacuum has not analysed the new rows yet, and the planner,
    believing the tables nearly empty, scans and filters instead of using the search indexes
    (measured: search 4 to 6 times slower until ANALYZE).
    """
    if connection.vendor != "postgresql":
        return
    tables = [
        model._meta.db_table
        for model in (Movie, MovieGenre, MovieTag, Interaction, get_user_model())
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {', '.join(connection.ops.quote_name(t) for t in tables)}")


# Genres ------------------------------------------------------------------------------------


def _genres_ensure() -> dict[str, int]:
    """Our genre names used by MovieLens -> primary keys, creating what is missing."""
    result: dict[str, int] = {}
    for name, tmdb_id in sorted(set(GENRES.values()), key=lambda item: item[0]):
        genre = None
        if tmdb_id is not None:
            genre = Genre.objects.filter(tmdb_id=tmdb_id).first()
        genre = genre or Genre.objects.filter(name__iexact=name).first()
        if genre is None:
            genre, _ = Genre.objects.get_or_create(
                name=name, defaults={"tmdb_id": tmdb_id, "slug": slugify(name)[:50]}
            )
        elif genre.tmdb_id is None and tmdb_id is not None:
            genre.tmdb_id = tmdb_id
            genre.save(update_fields=["tmdb_id"])
        result[name] = genre.pk
    return result


def _genre_pk(name: str, genre_pks: dict[str, int]) -> int:
    """A genre MovieLens may add one day (not in GENRES) is created under its own name."""
    if name not in genre_pks:
        genre, _ = Genre.objects.get_or_create(
            name=name[:100], defaults={"slug": slugify(name)[:50] or f"genre-{len(genre_pks)}"}
        )
        genre_pks[name] = genre.pk
    return genre_pks[name]


# Movies ------------------------------------------------------------------------------------


def _links_read(path: Path) -> dict[int, tuple[str | None, int | None]]:
    """movieId -> (imdb id, tmdb id): ids only, one small tuple per movie."""
    links: dict[int, tuple[str | None, int | None]] = {}
    if not path.exists():
        return links
    for row in csv_rows(path):
        movielens_id = to_int(row.get("movieId"))
        if movielens_id is not None:
            tmdb_id = to_int(row.get("tmdbId"))
            links[movielens_id] = (
                imdb_id_format(row.get("imdbId", "")),
                tmdb_id if tmdb_id and 0 < tmdb_id < 2**31 else None,
            )
    return links


def _movies_import(path, links, genre_pks, report: ImportReport, progress: Progress) -> None:
    bar = progress("movies", line_count(path))
    for batch in batches(csv_rows(path), BATCH_SIZE):
        with transaction.atomic():
            _movies_batch(batch, links, genre_pks, report)
        bar.update(len(batch))
    bar.close()


def _movies_batch(batch: list[dict], links, genre_pks, report: ImportReport) -> None:
    parsed = {}
    for row in batch:
        movielens_id = to_int(row.get("movieId"))
        if movielens_id is None or movielens_id in parsed:
            continue
        imdb_id, tmdb_id = links.get(movielens_id, (None, None))
        parsed[movielens_id] = (
            title_parse(row.get("title", "")),
            genres_parse(row.get("genres", "")),
            imdb_id,
            tmdb_id,
        )
    tmdb_ids = [p[3] for p in parsed.values() if p[3]]
    imdb_ids = [p[2] for p in parsed.values() if p[2]]
    by_movielens = {m.movielens_id: m for m in Movie.objects.filter(movielens_id__in=parsed)}
    holders = Movie.objects.filter(tmdb_id__in=tmdb_ids) | Movie.objects.filter(
        imdb_id__in=imdb_ids
    )
    by_tmdb, by_imdb = {}, {}
    for movie in holders:
        by_tmdb.setdefault(movie.tmdb_id, movie)
        by_imdb.setdefault(movie.imdb_id, movie)

    to_create, to_update, genre_links = [], {}, []
    for movielens_id, (title, genres, imdb_id, tmdb_id) in parsed.items():
        movie = by_movielens.get(movielens_id)
        if movie is None:
            # A movie TMDb sync created before the import: adopt it instead of duplicating it.
            for candidate in (by_tmdb.get(tmdb_id), by_imdb.get(imdb_id)):
                if candidate is not None and candidate.movielens_id is None and candidate.pk:
                    movie = candidate
                    break
        if movie is None:
            movie = Movie(title=title.title[:200])
            to_create.append(movie)
        changes = _movie_changes(movie, movielens_id, title, imdb_id, tmdb_id, by_tmdb, by_imdb)
        for name, value in changes.items():
            setattr(movie, name, value)
        if movie.pk and changes:
            to_update[movie.pk] = movie
        if imdb_id and movie.imdb_id != imdb_id:
            report.duplicate_links.append(f"movieId {movielens_id}: imdb id {imdb_id} taken")
        if tmdb_id and movie.tmdb_id != tmdb_id:
            report.duplicate_links.append(f"movieId {movielens_id}: tmdb id {tmdb_id} taken")
        genre_links.append((movie, genres))

    Movie.objects.bulk_create(to_create)
    if to_update:
        Movie.objects.bulk_update(
            list(to_update.values()),
            ["movielens_id", "imdb_id", "tmdb_id", "release_year"],
        )
    report.movies_created += len(to_create)
    report.created_pks.update(movie.pk for movie in to_create)
    report.movies_updated += len(to_update)
    MovieGenre.objects.bulk_create(
        [
            MovieGenre(movie_id=movie.pk, genre_id=_genre_pk(name, genre_pks))
            for movie, names in genre_links
            for name in names
        ],
        ignore_conflicts=True,
    )


def _movie_changes(movie, movielens_id, title, imdb_id, tmdb_id, by_tmdb, by_imdb) -> dict:
    """The fields to set on ``movie``.

    Titles are written only on the movies the import creates: a title TMDb synced or an editor
    corrected is never reverted. An id another movie holds (links.csv repeats a few tmdb ids)
    is left to that movie.
    """
    wanted: dict = {"movielens_id": movielens_id}
    if tmdb_id and movie.tmdb_id is None and by_tmdb.get(tmdb_id, movie) is movie:
        wanted["tmdb_id"] = tmdb_id
        by_tmdb[tmdb_id] = movie
    if imdb_id and movie.imdb_id is None and by_imdb.get(imdb_id, movie) is movie:
        wanted["imdb_id"] = imdb_id
        by_imdb[imdb_id] = movie
    if movie.pk is None:
        wanted["title"] = title.title[:200]
        wanted["original_title"] = title.alternate_title[:200]
    if movie.release_year is None and title.year is not None:
        wanted["release_year"] = title.year
    return {name: value for name, value in wanted.items() if getattr(movie, name) != value}


# Tags --------------------------------------------------------------------------------------


def _tags_import(path: Path, movie_pks, report: ImportReport, progress: Progress) -> None:
    """Tags counted per (movie, tag), case-insensitively; the first spelling seen is kept."""
    counts: dict[tuple[int, str], list] = {}
    bar = progress("tags", line_count(path))
    for row in csv_rows(path):
        bar.update()
        movie_pk = movie_pks.get(to_int(row.get("movieId")))
        tag = " ".join((row.get("tag") or "").split())[:100]
        if movie_pk is None or not tag:
            continue
        entry = counts.setdefault((movie_pk, tag.lower()), [tag, 0])
        entry[1] += 1
    bar.close()
    items = [MovieTag(movie_id=key[0], tag=tag, count=n) for key, (tag, n) in counts.items()]
    existing = {
        (movie_id, tag.lower()): (tag, count)
        for movie_id, tag, count in MovieTag.objects.filter(
            movie_id__in={key[0] for key in counts}
        ).values_list("movie_id", "tag", "count")
    }
    changed = [
        item
        for item in items
        if existing.get((item.movie_id, item.tag.lower()), (None, None))[1] != item.count
    ]
    for item in changed:  # keep the stored spelling so the unique key matches
        item.tag = existing.get((item.movie_id, item.tag.lower()), (item.tag, 0))[0]
    for batch in batches(iter(changed), BATCH_SIZE):
        with transaction.atomic():
            MovieTag.objects.bulk_create(
                batch,
                update_conflicts=True,
                unique_fields=["movie", "tag"],
                update_fields=["count"],
            )
    report.tags = len(items)
