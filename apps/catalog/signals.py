"""Signals the catalog sends to the apps above it.

``movie_details_missing``: sender is the Movie class; kwargs ``movie_id`` and ``tmdb_id``. Sent
when a movie's public detail is computed (its first view, or the first after the cached detail
expired) while the movie has a TMDb id but was never synced from TMDb (a MovieLens movie): the
tmdb app fetches its details in the background (apps.tmdb.receivers), and the answer is not
delayed. Sent through apps.core.signals.signal_send_robust.
"""

from django.dispatch import Signal

movie_details_missing = Signal()
