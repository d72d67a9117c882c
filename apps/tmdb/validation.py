"""What a value from TMDb may become in one of our columns (issue 11 item 8).

TMDb is an outside party, and an anonymous request can make the server fetch from it, so every
text value it sends is checked before it is stored: ``tmdb_value(model, field, value)`` is the
one rule, chosen by the column; ``tmdb_fields(model, fields)`` applies it to a row. The mapping
(apps.tmdb.coerce ``text``) and every writer in apps.tmdb.upserts go through it; new sync code
calls ``tmdb_fields(Model, fields)`` before it writes (a second pass changes nothing).

- URL columns (``URLField``, such as ``Movie.homepage``): an absolute ``http`` or ``https`` URL
  with a host, no spaces, within the column's length; anything else (``javascript:``,
  ``data:``, relative, cut) becomes the column's empty value.
- Image path columns (names ending in ``_path``): TMDb's shape only, ``/`` then letters, digits,
  ``_`` or ``-``, then an image extension (``/pB8BM7pdSp6B6Ih7QZ4DrQ3PmJK.jpg``). A path
  (``../x``, ``/a/b.jpg``) or a full URL (``https://elsewhere/x.png``) becomes None, so image
  links always point at TMDb's image host.
- Video keys (``key``, put into a YouTube or Vimeo URL): letters, digits, ``_`` and ``-``.
- Every other text column: text only. A string (or a number, as its digits) is kept; a JSON
  object, list or boolean is a missing value; NUL, other control characters (tab, newline and
  carriage return stay) and lone surrogates, which PostgreSQL refuses, are removed; the result
  is trimmed and cut to the column's length. HTML is kept as the literal text it is: the API
  answers JSON and never renders HTML, and escaping it would corrupt it for clients that show
  text as text.
- Other columns (numbers, dates, booleans) are returned unchanged: apps.tmdb.coerce types them.
"""

import re
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import FieldDoesNotExist
from django.db import models

_UNSTORABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_IMAGE_PATH = re.compile(r"/[A-Za-z0-9_-]+\.(?:jpg|jpeg|png|svg|webp)", re.IGNORECASE)
_URL_TOKEN = re.compile(r"[A-Za-z0-9_-]+")
_URL_FORBIDDEN = re.compile(r"[\s<>\"'\\]")

URL, IMAGE_PATH, URL_TOKEN, TEXT, OTHER = "url", "image_path", "url_token", "text", "other"


@lru_cache(maxsize=512)
def _column(model: type[models.Model], field: str) -> tuple[str, int | None, bool]:
    """(kind, max_length, null) of a column; OTHER for anything that is not text."""
    try:
        column = model._meta.get_field(field)
    except FieldDoesNotExist:
        return OTHER, None, True
    if not isinstance(column, models.CharField | models.TextField):
        return OTHER, None, True
    if isinstance(column, models.URLField):
        kind = URL
    elif field.endswith("_path"):
        kind = IMAGE_PATH
    elif field == "key":
        kind = URL_TOKEN
    else:
        kind = TEXT
    return kind, column.max_length, column.null


def _as_text(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return ""
    return _UNSTORABLE.sub("", str(value)).strip()


def _is_web_url(text: str) -> bool:
    if _URL_FORBIDDEN.search(text):
        return False
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def tmdb_value(model: type[models.Model], field: str, value: Any) -> Any:
    """``value`` (from TMDb) as it may be stored in ``model.field``, or the column's empty value
    (None where the column allows null, else "") when it may not."""
    kind, max_length, null = _column(model, field)
    if kind == OTHER:
        return value
    text = _as_text(value)
    if kind == URL:
        fits = max_length is None or len(text) <= max_length
        text = text if fits and _is_web_url(text) else ""
    elif kind == IMAGE_PATH:
        fits = max_length is None or len(text) <= max_length
        text = text if fits and _IMAGE_PATH.fullmatch(text) else ""
    elif kind == URL_TOKEN:
        fits = max_length is None or len(text) <= max_length
        text = text if fits and _URL_TOKEN.fullmatch(text) else ""
    elif max_length is not None:
        text = text[:max_length]
    if not text:
        return None if null else ""
    return text


def tmdb_fields(model: type[models.Model], fields: dict[str, Any]) -> dict[str, Any]:
    """A row of ``model`` fields from TMDb with every value passed through ``tmdb_value``."""
    return {name: tmdb_value(model, name, value) for name, value in fields.items()}
