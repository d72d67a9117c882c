"""TMDb errors, mapped to HTTP by apps.core.exceptions like every ApplicationError."""

from apps.core.exceptions import NotFound, ServiceUnavailable


class TMDbUnavailable(ServiceUnavailable):
    """TMDb cannot answer now: unconfigured, down, slow, rate limiting, or the breaker is open."""

    code = "tmdb_unavailable"
    default_message = "TMDb is unavailable; try again later."


class TMDbNotConfigured(TMDbUnavailable):
    default_message = "TMDb is not configured: set TMDB_API_KEY or TMDB_READ_TOKEN."


class TMDbNotFound(NotFound):
    default_message = "TMDb does not know this id."
