"""What the catalog asks of the apps above it (apps.core.hooks explains hooks).

``movie_user_state(*, user, movie_id) -> dict | None``: the user's own favorite, watchlist,
like, dislike and rating of one movie, in CatalogUserStateSerializer's shape, or None when the
movie is not active (the one query is also the detail's live active check); the movie detail
adds it for a logged-in user. Provided by the interactions app, which owns those rows.
"""

from apps.core.hooks import Hook

movie_user_state = Hook("movie_user_state")
