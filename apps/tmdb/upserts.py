"""Idempotent writes of mapped TMDb data, keyed by TMDb id.

Two workers writing the same movie at once: the movie row is created or locked first
(``select_for_update``; a lost creation race raises IntegrityError and is retried as an update),
so its relations (genres, keywords, companies, videos, credits) are replaced by one worker at a
time. Shared rows (people, keywords, companies) are upserted with INSERT ... ON CONFLICT DO
UPDATE, sorted by id so concurrent transactions lock them in the same order.

Every row passes ``apps.tmdb.validation.tmdb_fields`` on its way in, whoever mapped it: a value
TMDb sent is stored only as the column allows (web URLs, TMDb image paths, plain text).
"""

import logging
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.catalog.models import (
    Episode,
    EpisodeCast,
    Genre,
    Keyword,
    Movie,
    MovieCast,
    MovieCrew,
    MovieGenre,
    MovieKeyword,
    MovieProductionCompany,
    MovieWatchProvider,
    Person,
    ProductionCompany,
    Season,
    ShowGenre,
    TVShow,
    Video,
    WatchProvider,
)
from apps.tmdb import mapping
from apps.tmdb.validation import tmdb_fields, tmdb_value

logger = logging.getLogger(__name__)
_ATTEMPTS = 3


def _bulk_upsert(model, rows: list[dict], *, key: str = "tmdb_id") -> dict[Any, int]:
    """Insert or update ``rows`` by ``key``; returns {key value: primary key}."""
    if not rows:
        return {}
    unique = {row[key]: row for row in (tmdb_fields(model, row) for row in rows)}
    ordered = [unique[value] for value in sorted(unique)]
    update_fields = sorted({field for row in ordered for field in row} - {key})
    # Rows must share one column set for a single INSERT: fill what a partial row lacks from
    # the row already stored, so a credit (no biography) never blanks a fetched biography.
    stored = {
        getattr(obj, key): obj
        for obj in model.objects.filter(**{f"{key}__in": list(unique)}).only(key, *update_fields)
    }
    objects = []
    for row in ordered:
        current = stored.get(row[key])
        values = {
            field: row[field] if field in row else getattr(current, field)
            for field in update_fields
            if field in row or current is not None
        }
        objects.append(model(**{key: row[key]}, **values))
    model.objects.bulk_create(
        objects, update_conflicts=True, unique_fields=[key], update_fields=update_fields
    )
    return dict(model.objects.filter(**{f"{key}__in": list(unique)}).values_list(key, "pk"))


def genres_upsert(rows: list[dict]) -> dict[int, int]:
    """Upsert genres by TMDb id (adopting a same-named genre without one); {tmdb_id: pk}."""
    result: dict[int, int] = {}
    for row in (tmdb_fields(Genre, row) for row in rows):
        if not row.get("name"):
            continue
        for _attempt in range(_ATTEMPTS):
            try:
                with transaction.atomic():
                    result[row["tmdb_id"]] = _genre_upsert_one(row)
                break
            except IntegrityError:
                continue
    return result


def _genre_upsert_one(row: dict) -> int:
    genre = Genre.objects.filter(tmdb_id=row["tmdb_id"]).first()
    if genre is None:
        genre = Genre.objects.filter(name__iexact=row["name"]).first()
        if genre is not None and genre.tmdb_id is None:
            genre.tmdb_id = row["tmdb_id"]
            genre.save(update_fields=["tmdb_id"])
            return genre.pk
        if genre is not None:  # same name, another TMDb id (a TV-only genre, say): keep both
            return genre.pk
        return Genre.objects.create(**row).pk
    return genre.pk


def _genre_pks(tmdb_ids: list[int]) -> list[int]:
    return list(Genre.objects.filter(tmdb_id__in=tmdb_ids).values_list("pk", flat=True))


def _lock_movie(fields: dict) -> tuple[Movie, bool]:
    """The movie row for ``fields`` (created if new), locked for this transaction."""
    tmdb_id = fields["tmdb_id"]
    movie = Movie.objects.select_for_update().filter(tmdb_id=tmdb_id).first()
    if movie is None and fields.get("imdb_id"):
        # A MovieLens movie whose links.csv lacked this tmdb id, known by its imdb id.
        movie = (
            Movie.objects.select_for_update()
            .filter(imdb_id=fields["imdb_id"], tmdb_id__isnull=True)
            .first()
        )
    if movie is None:
        if "title" not in fields:
            fields = {**fields, "title": f"TMDb {tmdb_id}"}
        if fields.get("imdb_id") and Movie.objects.filter(imdb_id=fields["imdb_id"]).exists():
            fields = {**fields, "imdb_id": None}  # held by a row with another tmdb id
        with transaction.atomic():  # a savepoint: a lost race rolls back only this insert
            return Movie.objects.create(**fields), True
    return movie, False


def _imdb_id_free(fields: dict, movie: Movie) -> bool:
    imdb_id = fields.get("imdb_id")
    if not imdb_id or imdb_id == movie.imdb_id:
        return True
    return not Movie.objects.filter(imdb_id=imdb_id).exclude(pk=movie.pk).exists()


def movie_upsert(*, data: dict, details: bool = False) -> Movie:
    """Create or update the movie in a TMDb body; with ``details`` also its relations."""
    fields = tmdb_fields(Movie, mapping.movie_fields(data))
    if fields.get("tmdb_id") is None:
        raise ValueError("TMDb movie body without an id")
    for attempt in range(_ATTEMPTS):
        try:
            with transaction.atomic():
                return _movie_write(fields=fields, data=data, details=details)
        except IntegrityError:
            if attempt == _ATTEMPTS - 1:
                raise
            logger.info("tmdb_movie_upsert_retry", extra={"tmdb_id": fields["tmdb_id"]})
    raise AssertionError("unreachable")


def _movie_write(*, fields: dict, data: dict, details: bool) -> Movie:
    movie, created = _lock_movie(fields)
    if not created:
        changes = {k: v for k, v in fields.items() if getattr(movie, k) != v}
        if "imdb_id" in changes and not _imdb_id_free(fields, movie):
            changes.pop("imdb_id")  # another row holds it (a MovieLens duplicate): keep ours
        if details:
            changes["tmdb_synced_at"] = timezone.now()
        for field, value in changes.items():
            setattr(movie, field, value)
        if changes:
            movie.save(update_fields=[*changes, "updated_at"])
    elif details:
        movie.tmdb_synced_at = timezone.now()
        movie.save(update_fields=["tmdb_synced_at"])
    genre_ids = mapping.movie_genre_ids(data)
    if genre_ids is not None:
        _movie_genres_replace(movie, genre_ids, data)
    if details:
        _movie_relations_replace(movie, data)
    return movie


def _movie_genres_replace(movie: Movie, genre_ids: list[int], data: dict) -> None:
    """Replace the movie's TMDb genres; genres without a TMDb id (Film-Noir, IMAX) stay."""
    if isinstance(data.get("genres"), list):
        genres_upsert([g for g in map(mapping.genre_fields, data["genres"]) if g])
    wanted = set(_genre_pks(genre_ids))
    MovieGenre.objects.filter(movie=movie, genre__tmdb_id__isnull=False).exclude(
        genre_id__in=wanted
    ).delete()
    MovieGenre.objects.bulk_create(
        [MovieGenre(movie=movie, genre_id=pk) for pk in sorted(wanted)], ignore_conflicts=True
    )


def _movie_relations_replace(movie: Movie, data: dict) -> None:
    keywords = mapping.movie_keywords(data)
    if keywords is not None:
        pks = _bulk_upsert(Keyword, keywords)
        MovieKeyword.objects.filter(movie=movie).exclude(keyword_id__in=pks.values()).delete()
        MovieKeyword.objects.bulk_create(
            [MovieKeyword(movie=movie, keyword_id=pk) for pk in pks.values()],
            ignore_conflicts=True,
        )
    companies = mapping.movie_companies(data)
    if companies is not None:
        pks = _bulk_upsert(ProductionCompany, companies)
        MovieProductionCompany.objects.filter(movie=movie).exclude(
            production_company_id__in=pks.values()
        ).delete()
        MovieProductionCompany.objects.bulk_create(
            [MovieProductionCompany(movie=movie, production_company_id=pk) for pk in pks.values()],
            ignore_conflicts=True,
        )
    videos = mapping.movie_videos(data)
    if videos is not None:
        _bulk_upsert(Video, [{**video, "movie_id": movie.pk} for video in videos])
        Video.objects.filter(movie=movie).exclude(
            tmdb_id__in=[video["tmdb_id"] for video in videos]
        ).delete()
    if isinstance(data.get("credits"), dict):
        credits_replace(movie=movie, credits=mapping.credits_fields(data))
    offers = mapping.movie_watch_offers(data)
    if offers is not None:
        watch_offers_replace(movie=movie, offers=offers)


def watch_offers_replace(*, movie: Movie, offers: list[dict]) -> None:
    """Replace the movie's watch offers (every country) with ``offers`` (in a transaction)."""
    pks = _bulk_upsert(WatchProvider, [offer["provider"] for offer in offers])
    MovieWatchProvider.objects.filter(movie=movie).delete()
    MovieWatchProvider.objects.bulk_create(
        MovieWatchProvider(
            movie=movie,
            provider_id=pks[offer["provider"]["tmdb_id"]],
            **tmdb_fields(
                MovieWatchProvider,
                {"country": offer["country"], "offer_type": offer["offer_type"]},
            ),
            display_priority=offer["display_priority"],
        )
        for offer in offers
    )


def credits_replace(*, movie: Movie, credits: dict) -> None:
    """Replace all of the movie's cast and crew with ``credits`` (call inside a transaction)."""
    people = [item["person"] for item in credits["cast"] + credits["crew"]]
    person_pks = _bulk_upsert(Person, people)
    MovieCast.objects.filter(movie=movie).delete()
    MovieCrew.objects.filter(movie=movie).delete()
    credit_ids = [item["credit_id"] for item in credits["cast"] + credits["crew"]]
    # A credit id moved to this movie from another (TMDb merged two entries) must be released.
    taken = [cid for cid in credit_ids if cid]
    MovieCast.objects.filter(credit_id__in=taken).delete()
    MovieCrew.objects.filter(credit_id__in=taken).delete()
    MovieCast.objects.bulk_create(
        MovieCast(
            movie=movie,
            person_id=person_pks[item["person"]["tmdb_id"]],
            **tmdb_fields(
                MovieCast,
                {"credit_id": item["credit_id"], "character": item["character"]},
            ),
            order=item["order"],
        )
        for item in credits["cast"]
    )
    MovieCrew.objects.bulk_create(
        MovieCrew(
            movie=movie,
            person_id=person_pks[item["person"]["tmdb_id"]],
            **tmdb_fields(
                MovieCrew,
                {
                    "credit_id": item["credit_id"],
                    "job": item["job"],
                    "department": item["department"],
                },
            ),
        )
        for item in credits["crew"]
    )


def person_upsert(*, data: dict, details: bool = True) -> Person:
    """Create or update a person from a details body (``details``: marks them synced, with
    their images when appended) or from a list item."""
    fields = mapping.person_fields(data)
    if fields is None:
        raise ValueError("TMDb person body without an id or a name")
    if details:
        fields["tmdb_synced_at"] = timezone.now()
        images = mapping.person_images(data)
        if images is not None:  # each a TMDb image path, as profile_path must be
            checked = (tmdb_value(Person, "profile_path", path) for path in images)
            fields["profile_images"] = [path for path in checked if path]
    with transaction.atomic():
        pk = _bulk_upsert(Person, [fields])[fields["tmdb_id"]]
    return Person.objects.get(pk=pk)


def person_credits_add(*, person: Person, data: dict, limit: int) -> int:
    """Store the person's ``limit`` most popular movie credits from appended
    ``combined_credits`` (their movies created as summaries if new, enriched later): what
    their page lists as known for. Credits already stored (by credit id) are kept as they
    are. Returns how many credits were added."""
    credits = mapping.person_movie_credits(data)
    if not credits:
        return 0
    chosen = sorted(
        [("cast", c) for c in credits["cast"]] + [("crew", c) for c in credits["crew"]],
        key=lambda pair: -pair[1]["popularity"],
    )[:limit]
    ids = [credit["credit_id"] for _, credit in chosen]
    stored = set(MovieCast.objects.filter(credit_id__in=ids).values_list("credit_id", flat=True))
    stored |= set(MovieCrew.objects.filter(credit_id__in=ids).values_list("credit_id", flat=True))
    for kind, credit in chosen:
        movie = movie_upsert(data=credit["item"])
        model = MovieCast if kind == "cast" else MovieCrew
        credit_id = tmdb_value(model, "credit_id", credit["credit_id"])
        values = tmdb_fields(
            model,
            {"character": credit["character"], "order": credit["order"]}
            if kind == "cast"
            else {"job": credit["job"], "department": credit["department"]},
        )
        model.objects.bulk_create(
            [model(movie=movie, person=person, credit_id=credit_id, **values)],
            ignore_conflicts=True,
        )
    return len(set(ids) - stored)


def tv_show_upsert(*, data: dict) -> TVShow:
    """Create or update a show from a details body or a list item, with its TMDb genres."""
    fields = mapping.tv_show_fields(data)
    if fields.get("tmdb_id") is None:
        raise ValueError("TMDb show body without an id")
    if "name" not in fields and not TVShow.objects.filter(tmdb_id=fields["tmdb_id"]).exists():
        fields["name"] = f"TMDb {fields['tmdb_id']}"
    if isinstance(data.get("seasons"), list):
        fields["tmdb_synced_at"] = timezone.now()
    with transaction.atomic():
        pk = _bulk_upsert(TVShow, [fields])[fields["tmdb_id"]]
        show = TVShow.objects.select_for_update().get(pk=pk)
        if isinstance(data.get("genres"), list):
            genres_upsert([g for g in map(mapping.genre_fields, data["genres"]) if g])
        genre_ids = mapping.movie_genre_ids(data)
        if genre_ids is not None:
            wanted = set(_genre_pks(genre_ids))
            ShowGenre.objects.filter(show=show).exclude(genre_id__in=wanted).delete()
            ShowGenre.objects.bulk_create(
                [ShowGenre(show=show, genre_id=pk) for pk in sorted(wanted)],
                ignore_conflicts=True,
            )
    return show


def season_upsert(*, show: TVShow, data: dict) -> Season:
    """Create or update one season of ``show`` and its episodes (keyed by their numbers)."""
    fields = mapping.season_fields(data)
    if fields is None:
        raise ValueError("TMDb season body without a season number")
    episodes = [tmdb_fields(Episode, episode) for episode in fields.pop("episodes")]
    number = fields.pop("season_number")
    fields = tmdb_fields(Season, fields)
    with transaction.atomic():
        if fields["tmdb_id"] is not None:
            # The TMDb id is unique too: release it from a row that held it under another number.
            Season.objects.filter(tmdb_id=fields["tmdb_id"]).exclude(
                show=show, season_number=number
            ).update(tmdb_id=None)
        season, _ = Season.objects.update_or_create(
            show=show, season_number=number, defaults=fields
        )
        for episode in episodes:
            number_ = episode.pop("episode_number")
            cast = episode.pop("cast", None)
            if episode["tmdb_id"] is not None:
                Episode.objects.filter(tmdb_id=episode["tmdb_id"]).exclude(
                    season=season, episode_number=number_
                ).update(tmdb_id=None)
            stored, _ = Episode.objects.update_or_create(
                season=season, episode_number=number_, defaults=episode
            )
            if cast is not None:
                episode_cast_replace(episode=stored, cast=cast)
    return season


def episode_cast_replace(*, episode: Episode, cast: list[dict]) -> None:
    """Replace an episode's guest stars (call inside a transaction)."""
    person_pks = _bulk_upsert(Person, [item["person"] for item in cast])
    EpisodeCast.objects.filter(episode=episode).delete()
    taken = [item["credit_id"] for item in cast if item["credit_id"]]
    EpisodeCast.objects.filter(credit_id__in=taken).delete()  # moved from another episode
    EpisodeCast.objects.bulk_create(
        EpisodeCast(
            episode=episode,
            person_id=person_pks[item["person"]["tmdb_id"]],
            **tmdb_fields(
                EpisodeCast, {"credit_id": item["credit_id"], "character": item["character"]}
            ),
            order=item["order"],
        )
        for item in cast
    )
