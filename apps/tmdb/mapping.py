"""Pure functions from TMDb JSON to model field dicts. No database, no network.

TMDb treats every field as optional: bodies from different years differ, nullable fields are
null, dates can be "". Each function therefore returns only the fields whose source key is
present (so a partial body, such as a list item, never blanks a field a detail body filled),
coerces types, truncates strings to the column length and drops values a column cannot hold.
"""

from typing import Any

from django.utils.text import slugify

from apps.catalog.models import (
    Episode,
    EpisodeCast,
    Genre,
    Keyword,
    Movie,
    MovieCast,
    MovieCrew,
    OfferType,
    Person,
    ProductionCompany,
    Season,
    TVShow,
    Video,
    WatchProvider,
)
from apps.catalog.models.movies import MovieStatus
from apps.tmdb.coerce import (
    MAX_BIG_INT,
    date,
    integer,
    number,
    rating,
    text,
    timestamp,
)

_MOVIE_STATUSES = set(MovieStatus.values)


def _present(data: dict, key: str) -> bool:
    return isinstance(data, dict) and key in data


def _put(fields: dict, data: dict, key: str, field: str, convert) -> None:
    if _present(data, key):
        fields[field] = convert(data[key])


def genre_fields(data: dict) -> dict | None:
    """{tmdb_id, name, slug} or None when the id or the name is missing."""
    tmdb_id = integer(data.get("id")) if isinstance(data, dict) else None
    name = text(data.get("name"), Genre, "name") if isinstance(data, dict) else ""
    if tmdb_id is None or not name:
        return None
    return {
        "tmdb_id": tmdb_id,
        "name": name,
        "slug": slugify(name)[: Genre._meta.get_field("slug").max_length],
    }


def movie_fields(data: dict) -> dict:
    """Movie columns from a details body or a list item (only the keys the body has)."""
    fields: dict[str, Any] = {}
    if not isinstance(data, dict):
        return fields
    fields["tmdb_id"] = integer(data.get("id"))
    if _present(data, "title") or _present(data, "original_title"):
        fields["title"] = text(data.get("title"), Movie, "title") or text(
            data.get("original_title"), Movie, "title"
        )
    _put(
        fields, data, "original_title", "original_title", lambda v: text(v, Movie, "original_title")
    )
    _put(fields, data, "overview", "overview", lambda v: text(v, Movie, "overview"))
    _put(fields, data, "tagline", "tagline", lambda v: text(v, Movie, "tagline"))
    _put(fields, data, "imdb_id", "imdb_id", lambda v: text(v, Movie, "imdb_id", nullable=True))
    if _present(data, "release_date"):
        fields["release_date"] = date(data["release_date"])
        if fields["release_date"] is not None:
            fields["release_year"] = fields["release_date"].year
    _put(fields, data, "runtime", "runtime", lambda v: integer(v) or None)
    _put(fields, data, "budget", "budget", lambda v: integer(v, maximum=MAX_BIG_INT) or None)
    _put(fields, data, "revenue", "revenue", lambda v: integer(v, maximum=MAX_BIG_INT) or None)
    if data.get("status") in _MOVIE_STATUSES:
        fields["status"] = data["status"]
    _put(fields, data, "homepage", "homepage", lambda v: text(v, Movie, "homepage"))
    _put(fields, data, "vote_average", "tmdb_rating", rating)
    _put(fields, data, "vote_count", "tmdb_vote_count", lambda v: integer(v) or 0)
    _put(fields, data, "popularity", "popularity_score", lambda v: number(v) or 0.0)
    _put(
        fields,
        data,
        "poster_path",
        "poster_path",
        lambda v: text(v, Movie, "poster_path", nullable=True),
    )
    _put(
        fields, data, "backdrop_path", "backdrop_path",
        lambda v: text(v, Movie, "backdrop_path", nullable=True),
    )  # fmt: skip
    _put(fields, data, "adult", "adult", bool)
    _put(fields, data, "video", "video", bool)
    _put(
        fields, data, "original_language", "original_language",
        lambda v: text(v, Movie, "original_language"),
    )  # fmt: skip
    if not fields.get("title"):
        fields.pop("title", None)
    return fields


def movie_genre_ids(data: dict) -> list[int] | None:
    """TMDb genre ids of a movie or show (details carry ``genres``, list items ``genre_ids``)."""
    if not isinstance(data, dict):
        return None
    if isinstance(data.get("genres"), list):
        return [g["tmdb_id"] for g in map(genre_fields, data["genres"]) if g]
    if isinstance(data.get("genre_ids"), list):
        return [i for i in (integer(v) for v in data["genre_ids"]) if i is not None]
    return None


def person_fields(data: dict) -> dict | None:
    """Person columns from a details body or a credit (None without an id or a name)."""
    if not isinstance(data, dict) or integer(data.get("id")) is None:
        return None
    fields: dict[str, Any] = {"tmdb_id": integer(data["id"])}
    name = text(data.get("name"), Person, "name") or text(data.get("original_name"), Person, "name")
    if not name:
        return None
    fields["name"] = name
    _put(fields, data, "imdb_id", "imdb_id", lambda v: text(v, Person, "imdb_id", nullable=True))
    _put(fields, data, "biography", "biography", lambda v: text(v, Person, "biography"))
    _put(fields, data, "birthday", "birthday", date)
    _put(fields, data, "deathday", "deathday", date)
    _put(
        fields,
        data,
        "place_of_birth",
        "place_of_birth",
        lambda v: text(v, Person, "place_of_birth"),
    )
    _put(
        fields, data, "profile_path", "profile_path",
        lambda v: text(v, Person, "profile_path", nullable=True),
    )  # fmt: skip
    _put(
        fields, data, "known_for_department", "known_for_department",
        lambda v: text(v, Person, "known_for_department"),
    )  # fmt: skip
    _put(fields, data, "gender", "gender", lambda v: integer(v, maximum=32767) or 0)
    _put(fields, data, "popularity", "popularity", lambda v: number(v) or 0.0)
    return fields


def company_fields(data: dict) -> dict | None:
    if not isinstance(data, dict) or integer(data.get("id")) is None:
        return None
    name = text(data.get("name"), ProductionCompany, "name")
    if not name:
        return None
    return {
        "tmdb_id": integer(data["id"]),
        "name": name,
        "logo_path": text(data.get("logo_path"), ProductionCompany, "logo_path", nullable=True),
        "origin_country": text(data.get("origin_country"), ProductionCompany, "origin_country"),
    }


def keyword_fields(data: dict) -> dict | None:
    if not isinstance(data, dict) or integer(data.get("id")) is None:
        return None
    name = text(data.get("name"), Keyword, "name")
    return {"tmdb_id": integer(data["id"]), "name": name} if name else None


def video_fields(data: dict) -> dict | None:
    """A video's columns (without the movie), or None without an id, a site or a key."""
    if not isinstance(data, dict):
        return None
    tmdb_id = text(data.get("id"), Video, "tmdb_id")
    site = text(data.get("site"), Video, "site")
    key = text(data.get("key"), Video, "key")
    if not (tmdb_id and site and key):
        return None
    return {
        "tmdb_id": tmdb_id,
        "name": text(data.get("name"), Video, "name"),
        "site": site,
        "key": key,
        "video_type": text(data.get("type"), Video, "video_type"),
        "official": bool(data.get("official")),
        "size": integer(data.get("size")),
        "language": text(data.get("iso_639_1"), Video, "language"),
        "published_at": timestamp(data.get("published_at")),
    }


def _list(data: Any, key: str) -> list:
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, list) else []


def credits_fields(data: dict) -> dict:
    """{"cast": [...], "crew": [...]}, each item {"person": person fields, ...credit fields}.

    Takes a movie details body (with appended ``credits``) or a /credits body. Credits without a
    person id are skipped; a credit_id seen twice is kept once.
    """
    credits = data.get("credits") if isinstance(data.get("credits"), dict) else data
    seen: set[str] = set()
    cast, crew = [], []
    for index, item in enumerate(_list(credits, "cast")):
        person = person_fields(item)
        credit_id = text(item.get("credit_id"), MovieCast, "credit_id", nullable=True)
        if person is None or (credit_id and credit_id in seen):
            continue
        if credit_id:
            seen.add(credit_id)
        order = integer(item.get("order"))
        cast.append(
            {
                "person": person,
                "credit_id": credit_id,
                "character": text(item.get("character"), MovieCast, "character"),
                "order": index if order is None else order,
            }
        )
    for item in _list(credits, "crew"):
        person = person_fields(item)
        credit_id = text(item.get("credit_id"), MovieCrew, "credit_id", nullable=True)
        job = text(item.get("job"), MovieCrew, "job")
        if person is None or not job or (credit_id and credit_id in seen):
            continue
        if credit_id:
            seen.add(credit_id)
        crew.append(
            {
                "person": person,
                "credit_id": credit_id,
                "job": job,
                "department": text(item.get("department"), MovieCrew, "department"),
            }
        )
    return {"cast": cast, "crew": crew}


def movie_videos(data: dict) -> list[dict] | None:
    """Video fields from an appended ``videos`` block; None when the body has none."""
    videos = data.get("videos") if isinstance(data, dict) else None
    if not isinstance(videos, dict):
        return None
    return [v for v in map(video_fields, _list(videos, "results")) if v]


def movie_keywords(data: dict) -> list[dict] | None:
    keywords = data.get("keywords") if isinstance(data, dict) else None
    if not isinstance(keywords, dict):
        return None
    return [k for k in map(keyword_fields, _list(keywords, "keywords")) if k]


def movie_companies(data: dict) -> list[dict] | None:
    if not isinstance(data, dict) or not isinstance(data.get("production_companies"), list):
        return None
    return [c for c in map(company_fields, data["production_companies"]) if c]


def tv_show_fields(data: dict) -> dict:
    fields: dict[str, Any] = {}
    if not isinstance(data, dict):
        return fields
    fields["tmdb_id"] = integer(data.get("id"))
    name = text(data.get("name"), TVShow, "name") or text(data.get("original_name"), TVShow, "name")
    if name:
        fields["name"] = name
    _put(fields, data, "original_name", "original_name", lambda v: text(v, TVShow, "original_name"))
    _put(fields, data, "overview", "overview", lambda v: text(v, TVShow, "overview"))
    _put(fields, data, "tagline", "tagline", lambda v: text(v, TVShow, "tagline"))
    _put(fields, data, "first_air_date", "first_air_date", date)
    _put(fields, data, "last_air_date", "last_air_date", date)
    _put(fields, data, "status", "status", lambda v: text(v, TVShow, "status"))
    _put(fields, data, "in_production", "in_production", bool)
    _put(fields, data, "number_of_seasons", "number_of_seasons", lambda v: integer(v) or 0)
    _put(fields, data, "number_of_episodes", "number_of_episodes", lambda v: integer(v) or 0)
    _put(fields, data, "vote_average", "tmdb_rating", rating)
    _put(fields, data, "vote_count", "tmdb_vote_count", lambda v: integer(v) or 0)
    _put(fields, data, "popularity", "popularity_score", lambda v: number(v) or 0.0)
    _put(
        fields,
        data,
        "poster_path",
        "poster_path",
        lambda v: text(v, TVShow, "poster_path", nullable=True),
    )
    _put(
        fields, data, "backdrop_path", "backdrop_path",
        lambda v: text(v, TVShow, "backdrop_path", nullable=True),
    )  # fmt: skip
    _put(
        fields, data, "original_language", "original_language",
        lambda v: text(v, TVShow, "original_language"),
    )  # fmt: skip
    return fields


def episode_fields(data: dict) -> dict | None:
    if not isinstance(data, dict):
        return None
    episode_number = integer(data.get("episode_number"))
    if episode_number is None:
        return None
    return {
        "tmdb_id": integer(data.get("id")),
        "episode_number": episode_number,
        "name": text(data.get("name"), Episode, "name"),
        "overview": text(data.get("overview"), Episode, "overview"),
        "air_date": date(data.get("air_date")),
        "runtime": integer(data.get("runtime")) or None,
        "still_path": text(data.get("still_path"), Episode, "still_path", nullable=True),
        "tmdb_rating": rating(data.get("vote_average")),
        "tmdb_vote_count": integer(data.get("vote_count")) or 0,
        "cast": episode_cast(data),
    }


def episode_cast(data: dict) -> list[dict]:
    """An episode's guest stars: ``[{"person": person fields, "credit_id", "character",
    "order"}]`` (a person or a credit id seen twice is kept once)."""
    cast, people, credit_ids = [], set(), set()
    for index, item in enumerate(_list(data, "guest_stars")):
        person = person_fields(item)
        if person is None or person["tmdb_id"] in people:
            continue
        credit_id = text(item.get("credit_id"), EpisodeCast, "credit_id", nullable=True)
        if credit_id in credit_ids:
            credit_id = None
        people.add(person["tmdb_id"])
        credit_ids.add(credit_id)
        order = integer(item.get("order"))
        cast.append(
            {
                "person": person,
                "credit_id": credit_id,
                "character": text(item.get("character"), EpisodeCast, "character"),
                "order": index if order is None else order,
            }
        )
    return cast


def season_fields(data: dict) -> dict | None:
    """A season's columns plus ``episodes``: a list of episode fields (one per number)."""
    if not isinstance(data, dict):
        return None
    season_number = integer(data.get("season_number"))
    if season_number is None:
        return None
    episodes: dict[int, dict] = {}
    for episode in map(episode_fields, _list(data, "episodes")):
        if episode:
            episodes.setdefault(episode["episode_number"], episode)
    episode_count = integer(data.get("episode_count"))
    return {
        "tmdb_id": integer(data.get("id")),
        "season_number": season_number,
        "name": text(data.get("name"), Season, "name"),
        "overview": text(data.get("overview"), Season, "overview"),
        "air_date": date(data.get("air_date")),
        "episode_count": episode_count if episode_count is not None else len(episodes),
        "poster_path": text(data.get("poster_path"), Season, "poster_path", nullable=True),
        "tmdb_rating": rating(data.get("vote_average")),
        "episodes": list(episodes.values()),
    }


_OFFER_TYPES = set(OfferType.values)


def _country(value: Any) -> str | None:
    return value if isinstance(value, str) and len(value) == 2 and value.isalpha() else None


def provider_fields(data: dict) -> dict | None:
    """A watch provider's columns, or None without an id or a name."""
    if not isinstance(data, dict):
        return None
    tmdb_id = integer(data.get("provider_id"))
    name = text(data.get("provider_name"), WatchProvider, "name")
    if tmdb_id is None or not name:
        return None
    return {
        "tmdb_id": tmdb_id,
        "name": name,
        "logo_path": text(data.get("logo_path"), WatchProvider, "logo_path", nullable=True),
        "display_priority": integer(data.get("display_priority")) or 0,
    }


def movie_watch_offers(data: dict) -> list[dict] | None:
    """``[{"provider": provider fields, "country", "offer_type", "display_priority"}]`` from an
    appended ``watch/providers`` block (countries as upper-case ISO codes); None without it."""
    block = data.get("watch/providers") if isinstance(data, dict) else None
    if not isinstance(block, dict):
        return None
    results = block.get("results")
    offers: dict[tuple, dict] = {}
    for country, kinds in results.items() if isinstance(results, dict) else []:
        code = _country(country)
        if code is None or not isinstance(kinds, dict):
            continue
        for offer_type in sorted(_OFFER_TYPES & set(kinds)):
            for item in _list(kinds, offer_type):
                provider = provider_fields(item)
                if provider is not None:
                    key = (provider["tmdb_id"], code.upper(), offer_type)
                    offers.setdefault(
                        key,
                        {
                            "provider": provider,
                            "country": code.upper(),
                            "offer_type": offer_type,
                            "display_priority": provider["display_priority"],
                        },
                    )
    return list(offers.values())


def person_images(data: dict) -> list[str] | None:
    """Profile image paths from an appended ``images`` block, best voted first (at most 20)."""
    images = data.get("images") if isinstance(data, dict) else None
    if not isinstance(images, dict):
        return None
    profiles = [item for item in _list(images, "profiles") if isinstance(item, dict)]
    profiles.sort(key=lambda item: -(number(item.get("vote_average")) or 0.0))
    paths = [text(item.get("file_path"), Person, "profile_path") for item in profiles]
    return list(dict.fromkeys(path for path in paths if path))[:20]


def person_movie_credits(data: dict) -> dict | None:
    """A person's movie credits from appended ``combined_credits`` (or ``movie_credits``):
    ``{"cast": [{"item": the movie's TMDb body, "popularity", "credit_id", "character",
    "order"}], "crew": [{..., "job", "department"}]}``, movies only (TV credits are skipped);
    None without either block."""
    block = data.get("combined_credits") if isinstance(data, dict) else None
    if not isinstance(block, dict):
        block = data.get("movie_credits") if isinstance(data, dict) else None
    if not isinstance(block, dict):
        return None
    result: dict[str, list] = {"cast": [], "crew": []}
    seen: set[str] = set()
    for kind in ("cast", "crew"):
        for item in _list(block, kind):
            if not isinstance(item, dict) or item.get("media_type", "movie") != "movie":
                continue
            movie = movie_fields(item)
            credit_id = text(item.get("credit_id"), MovieCast, "credit_id", nullable=True)
            if movie.get("tmdb_id") is None or not credit_id or credit_id in seen:
                continue
            seen.add(credit_id)
            credit = {"item": item, "popularity": movie.get("popularity_score") or 0.0,
                      "credit_id": credit_id}  # fmt: skip
            if kind == "cast":
                credit["character"] = text(item.get("character"), MovieCast, "character")
                credit["order"] = integer(item.get("order")) or 0
            else:
                credit["job"] = text(item.get("job"), MovieCrew, "job")
                credit["department"] = text(item.get("department"), MovieCrew, "department")
                if not credit["job"]:
                    continue
            result[kind].append(credit)
    return result
