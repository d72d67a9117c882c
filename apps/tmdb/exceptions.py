"""TMDb errors, mapped to HTTP by apps.core.exceptions like every ApplicationError."""

from apps.core.exceptions import NotFound, ServiceUnavailable


class TMDbUnavailable(ServiceUnavailable):
    """TMDb cannot answer now: unconfigured, down, slow, rate limiting, or the breaker is open."""

    code = "tmdb_unavailable"
    default_message = "TMDb is unavailable; try again later."
    # Whether the circuit breaker counts this as a failure of TMDb itself.
    counts_as_failure = True


class TMDbRejected(TMDbUnavailable):
    """TMDb answered but refused the request (bad credentials, a 4xx): TMDb itself is up."""

    counts_as_failure = False


class TMDbThrottled(TMDbUnavailable):
    """This client made the server call TMDb too often (THROTTLE_TMDB): a 429 with Retry-After.
    A TMDbUnavailable, so code that degrades without TMDb degrades the same way here."""

    status_code = 429
    code = "throttled"
    default_message = "Too many requests that need TMDb; try again later."
    counts_as_failure = False


class TMDbNotConfigured(TMDbUnavailable):
    default_message = "TMDb is not configured: set TMDB_API_KEY or TMDB_READ_TOKEN."


class TMDbNotFound(NotFound):
    default_message = "TMDb does not know this id."
