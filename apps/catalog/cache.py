"""Cache namespaces of the catalog, and their invalidation (called by syncs and writes)."""

from apps.core.cache import namespace_invalidate

# TTLs from seed 001: trending 30 min, popular 1 h, movie detail 24 h, genres 24 h.
TRENDING_TTL = 30 * 60
LIST_TTL = 60 * 60
DETAIL_TTL = 24 * 60 * 60
GENRES_TTL = 24 * 60 * 60
# Search answers (not in the seed): short, so a title that changes without an invalidation (a
# movie fetched from TMDb on demand, a rating count moving the popularity boost) shows soon.
SEARCH_TTL = 10 * 60

# A logged-in user's own cached parts (the state on a movie a detail adds, the favorites
# page): kept at most this long, dropped at once by the user's interaction writes.
USER_PART_TTL = 10 * 60

LISTS_NAMESPACE = "catalog:lists"
GENRES_NAMESPACE = "catalog:genres"


def movie_namespace(movie_id: int) -> str:
    return f"catalog:movie:{movie_id}"


def catalog_lists_invalidate() -> None:
    """Drop every cached catalog list (popular, trending, top rated, shows...) and every cached
    search answer (they share the namespace)."""
    namespace_invalidate(LISTS_NAMESPACE)


def genres_invalidate() -> None:
    namespace_invalidate(GENRES_NAMESPACE)


def movie_detail_invalidate(movie_id: int) -> None:
    """Drop the cached public detail of one movie (its aggregates or TMDb data changed)."""
    namespace_invalidate(movie_namespace(movie_id))


def user_movies_namespace(user_id: int) -> str:
    """A user's cached answers about their own movies: their state on a movie, their
    favorites page (apps.core.fastpath ``UserSlot``)."""
    return f"catalog:user:{user_id}"
