"""What catalog views report to analytics (apps.core.activity): a movie's details opened
(``movie_view``), a search made (``movie_search``, with the query and how many results).

Reported after the view answered, on both of its paths: DRF's and the anonymous fast path's
cached bytes (apps.core.fastpath), which never reaches the view's ``get``.
"""

import json

from rest_framework.request import Request

from apps.core.activity import activity_emit


def viewer_id(request) -> int | None:
    """The signed-in user of a request the view answered. A request answered by the fast path
    is the bare Django request, and anonymous (it sent no Authorization header)."""
    if not isinstance(request, Request):
        return None
    user = request.user
    return user.pk if user.is_authenticated else None


def result_total(response) -> int | None:
    """The ``pagination.total`` of a paginated answer, rendered or not."""
    data = getattr(response, "data", None)
    if not isinstance(data, dict):
        try:
            data = json.loads(response.content)
        except (ValueError, AttributeError):
            return None
    pagination = data.get("pagination") if isinstance(data, dict) else None
    return pagination.get("total") if isinstance(pagination, dict) else None


def movie_view_report(request, response, movie_id: int) -> None:
    if request.method == "GET" and response.status_code == 200:
        activity_emit(event="movie_view", user_id=viewer_id(request), movie_id=movie_id)


def search_report(request, response, *, query: str, kind: str) -> None:
    if request.method == "GET" and response.status_code == 200:
        activity_emit(
            event="movie_search",
            user_id=viewer_id(request),
            metadata={"query": query[:200], "type": kind, "results": result_total(response)},
        )
