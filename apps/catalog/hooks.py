"""What the catalog asks of the apps above it (apps.core.hooks explains hooks).

``movie_user_state(*, user, movie_id) -> dict | None``: the user's own favorite, watchlist,
like, dislike and rating of one movie, in CatalogUserStateSerializer's shape, or None when the
movie is not active (the one query is also the detail's live active check); the movie detail
adds it for a logged-in user. Provided by the interactions app, which owns those rows.


``movie_for_tmdb_id(*, tmdb_id) -> Movie``: the stored movie TMDb calls ``tmdb_id``, fetched
from TMDb when it is missing (seed 004's favorite flow: "if movie missing, sync from TMDb");
raises NotFound when TMDb does not know it and TMDbUnavailable (503) when TMDb cannot answer.
Provided by the tmdb app (apps.tmdb.services.movie_fetch_by_tmdb_id); the interactions app
calls it for favorites by TMDb id.
"""

from apps.core.hooks import Hook

movie_user_state = Hook("movie_user_state")
movie_for_tmdb_id = Hook("movie_for_tmdb_id")
