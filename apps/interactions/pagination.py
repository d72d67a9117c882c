"""The default pagination, with a summary next to the page (an episode's average rating)."""

from rest_framework.response import Response

from apps.core.pagination import EnvelopePagination


class EpisodeReviewPagination(EnvelopePagination):
    """``data`` is ``{"average_rating", "review_count", "results": [...]}``.

    The view sets ``summary`` before asking for the paginated response.
    """

    summary: dict | None = None

    def get_paginated_response(self, data, message: str = "OK"):
        body = {**(self.summary or {}), "results": data}
        return Response(
            {
                "success": True,
                "data": body,
                "message": message,
                "pagination": self.pagination_block(),
            }
        )

    def get_paginated_response_schema(self, schema):
        envelope = super().get_paginated_response_schema(schema)
        envelope["properties"]["data"] = {
            "type": "object",
            "required": ["average_rating", "review_count", "results"],
            "properties": {
                "average_rating": {
                    "type": "number",
                    "nullable": True,
                    "description": "Mean of the visible reviews' ratings (1 to 10), or null.",
                },
                "review_count": {"type": "integer", "minimum": 0},
                "results": schema,
            },
        }
        return envelope
