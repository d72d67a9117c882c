"""Compact cards: the one shape of every home page item (movie, show, person, article,
collection), built as plain dicts from rows read with ``only()``.

Every card has ``id``, ``kind``, ``title``, ``image_url``, ``backdrop_url``, ``year``,
``rating`` and ``in_watchlist``; a section adds its own keys (a trailer, a reason, streaming
providers...). ``rating`` is out of 10: TMDb's average when TMDb rated the title, else our
users' mean (0.5 to 5) doubled. ``in_watchlist`` is null in the public page and true or false
on movie cards of a logged-in user's page (apps.feed.personal).
"""

from decimal import Decimal

from apps.catalog.images import image_url
from apps.catalog.models import Movie, Person, TVShow, Video

# What each card reads of a row: the querysets of apps.feed.sections ask for these only.
MOVIE_CARD_FIELDS = (
    "id", "title", "poster_path", "backdrop_path", "release_year", "tmdb_rating", "our_rating",
)  # fmt: skip
SHOW_CARD_FIELDS = ("id", "name", "poster_path", "backdrop_path", "first_air_date", "tmdb_rating")
PERSON_CARD_FIELDS = ("id", "name", "profile_path", "known_for_department", "birthday")
VIDEO_SITES = ("YouTube", "Vimeo")
TRAILER_TYPES = ("Trailer", "Teaser")


def _number(value: Decimal | float | None) -> float | None:
    return None if value is None else float(value)


def movie_rating(movie: Movie) -> float | None:
    if movie.tmdb_rating is not None:
        return float(movie.tmdb_rating)
    if movie.our_rating is not None:
        return float(movie.our_rating) * 2
    return None


def movie_card(movie: Movie, base: str) -> dict:
    return {
        "id": movie.pk,
        "kind": "movie",
        "title": movie.title,
        "image_url": image_url(movie.poster_path, "w342", base),
        "backdrop_url": image_url(movie.backdrop_path, "w780", base),
        "year": movie.release_year,
        "rating": movie_rating(movie),
        "in_watchlist": None,
    }


def show_card(show: TVShow, base: str) -> dict:
    return {
        "id": show.pk,
        "kind": "show",
        "title": show.name,
        "image_url": image_url(show.poster_path, "w342", base),
        "backdrop_url": image_url(show.backdrop_path, "w780", base),
        "year": show.first_air_date.year if show.first_air_date else None,
        "rating": _number(show.tmdb_rating),
        "in_watchlist": None,
    }


def person_card(person: Person, base: str, *, born_today: bool) -> dict:
    return {
        "id": person.pk,
        "kind": "person",
        "title": person.name,
        "image_url": image_url(person.profile_path, "w185", base),
        "backdrop_url": None,
        "year": None,
        "rating": None,
        "in_watchlist": None,
        "known_for_department": person.known_for_department,
        "born_today": born_today,
    }


def video_data(video: Video) -> dict:
    if video.site == "YouTube":
        url = f"https://www.youtube.com/watch?v={video.key}"
    elif video.site == "Vimeo":
        url = f"https://vimeo.com/{video.key}"
    else:
        url = None
    return {
        "name": video.name,
        "site": video.site,
        "key": video.key,
        "video_type": video.video_type,
        "url": url,
    }


def best_videos(videos) -> dict[int, Video]:
    """The first video of each movie in ``videos`` (already ordered best first)."""
    best: dict[int, Video] = {}
    for video in videos:
        best.setdefault(video.movie_id, video)
    return best
