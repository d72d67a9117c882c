"""Coercion of TMDb JSON values to column values: None, "" and bad values never raise."""

import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils.dateparse import parse_datetime

from apps.tmdb.validation import tmdb_value

MAX_POSITIVE_INT = 2_147_483_647
MAX_BIG_INT = 9_223_372_036_854_775_807


def text(value: Any, model, field: str, *, nullable: bool = False) -> str | None:
    """The column's checked text (apps.tmdb.validation: URLs, image paths, plain text, cut to
    the column's length); None (nullable) or "" for missing or refused values."""
    result = tmdb_value(model, field, value)
    if not isinstance(result, str) or not result:
        return None if nullable else ""
    return result


def date(value: Any) -> datetime.date | None:
    """An ISO date, or None for "", null and invalid dates such as "2021-02-30"."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return datetime.date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def timestamp(value: Any) -> datetime.datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = parse_datetime(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed is not None and parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.UTC)
    return parsed


def integer(value: Any, *, minimum: int = 0, maximum: int = MAX_POSITIVE_INT) -> int | None:
    """An int within the column's range, or None for missing, non-numeric or out-of-range."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = int(float(value))
    except (TypeError, ValueError, OverflowError):
        return None
    return number if minimum <= number <= maximum else None


def number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        result = float(value)
    except (TypeError, ValueError):
        return None
    return result if result == result and abs(result) != float("inf") else None


def rating(value: Any) -> Decimal | None:
    """TMDb's 0-10 vote average to one decimal; None outside that range."""
    result = number(value)
    if result is None or not 0 <= result <= 10:
        return None
    try:
        return Decimal(str(result)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return None
