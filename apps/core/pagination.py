"""Page-number pagination that produces the envelope's pagination block."""

import math

from rest_framework.pagination import BasePagination
from rest_framework.response import Response

from apps.core.exceptions import InvalidInput

DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
MAX_PAGE = 100_000
# More digits than any bound here can need. The length is checked before int() runs: Python
# refuses to convert a string of more than 4,300 digits (a ValueError, so a 500), and converting
# a long one costs time before any bound could reject it.
MAX_INT_PARAM_DIGITS = 18


def int_query_param(
    request, name: str, default: int, *, minimum: int = 1, maximum: int | None = None
) -> int:
    """A whole-number query parameter within [minimum, maximum], or a 400 naming it.

    Every integer query parameter read by hand (not through a serializer or a filter form)
    goes through here: digits only (a leading minus sign when ``minimum`` is negative), at
    most MAX_INT_PARAM_DIGITS of them, then the bounds. Nothing is clamped: a value out of
    bounds is refused, as the OpenAPI schema says.
    """
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    digits = raw[1:] if raw.startswith("-") and minimum < 0 else raw
    bounds = f"from {minimum}" + (f" to {maximum}" if maximum is not None else "")
    if not (digits.isascii() and digits.isdigit()) or len(digits) > MAX_INT_PARAM_DIGITS:
        raise InvalidInput(
            f"'{name}' must be a whole number {bounds}.",
            details={name: [f"A whole number {bounds}."]},
        )
    value = int(raw)
    if value < minimum:
        raise InvalidInput(
            f"'{name}' must be at least {minimum}.", details={name: [f"Must be >= {minimum}."]}
        )
    if maximum is not None and value > maximum:
        raise InvalidInput(
            f"'{name}' must be at most {maximum}.", details={name: [f"Must be <= {maximum}."]}
        )
    return value


def positive_int_param(request, name: str, default: int, maximum: int | None = None) -> int:
    """A positive integer query parameter (``page``, ``per_page``), or a 400 naming it."""
    return int_query_param(request, name, default, minimum=1, maximum=maximum)


class EnvelopePagination(BasePagination):
    """``page`` (1 to 100,000) and ``per_page`` (1 to 100; more is a 400, not clamped); a
    page past the end is an empty list."""

    page_size = DEFAULT_PER_PAGE

    def paginate_queryset(self, queryset, request, view=None):
        self.page = positive_int_param(request, "page", 1, MAX_PAGE)
        self.per_page = positive_int_param(request, "per_page", self.page_size, MAX_PER_PAGE)
        self.total = (
            queryset.count()
            if hasattr(queryset, "count") and not isinstance(queryset, list)
            else len(queryset)
        )
        offset = (self.page - 1) * self.per_page
        if offset >= self.total:
            return []
        return list(queryset[offset : offset + self.per_page])

    def pagination_block(self) -> dict:
        return {
            "page": self.page,
            "per_page": self.per_page,
            "total": self.total,
            "pages": math.ceil(self.total / self.per_page) if self.total else 0,
        }

    def get_paginated_response(self, data, message: str = "OK"):
        return Response(
            {
                "success": True,
                "data": data,
                "message": message,
                "pagination": self.pagination_block(),
            }
        )

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["success", "data", "message", "pagination"],
            "properties": {
                "success": {"type": "boolean"},
                "data": schema,
                "message": {"type": "string"},
                "pagination": {"$ref": "#/components/schemas/Pagination"},
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": "page",
                "in": "query",
                "required": False,
                "description": f"Page number, 1 to {MAX_PAGE}; a page past the end is empty.",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
            },
            {
                "name": "per_page",
                "in": "query",
                "required": False,
                "description": (
                    f"Items per page, 1 to {MAX_PER_PAGE} (default {DEFAULT_PER_PAGE}); "
                    "a value out of range is a 400, never clamped."
                ),
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
            },
        ]
