"""Page-number pagination that produces the envelope's pagination block."""

import math

from rest_framework.pagination import BasePagination
from rest_framework.response import Response

from apps.core.exceptions import InvalidInput

DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
MAX_PAGE = 100_000


def positive_int_param(request, name: str, default: int, maximum: int | None = None) -> int:
    """A positive integer query parameter, or a 400 naming it."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isascii() or not raw.isdigit() or int(raw) < 1:
        raise InvalidInput(
            f"'{name}' must be a positive whole number.", details={name: ["Must be >= 1."]}
        )
    value = int(raw)
    if maximum is not None and name == "page" and value > maximum:
        raise InvalidInput(
            f"'{name}' must be at most {maximum}.", details={name: [f"Must be <= {maximum}."]}
        )
    return min(value, maximum) if maximum is not None else value


class EnvelopePagination(BasePagination):
    """``page`` and ``per_page`` (capped at 100); a page past the end is an empty list."""

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
                "description": "Page number, from 1.",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
            },
            {
                "name": "per_page",
                "in": "query",
                "required": False,
                "description": f"Items per page, 1 to {MAX_PER_PAGE} (default {DEFAULT_PER_PAGE}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
            },
        ]
