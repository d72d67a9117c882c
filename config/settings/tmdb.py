"""TMDb settings (imported by base.py). With neither key set, TMDb sync is disabled."""

from config.settings.env import env_int, env_str

TMDB_API_KEY = env_str("TMDB_API_KEY") or ""
TMDB_READ_TOKEN = env_str("TMDB_READ_TOKEN") or ""
TMDB_BASE_URL = (env_str("TMDB_BASE_URL") or "https://api.themoviedb.org/3").rstrip("/")
TMDB_CONNECT_TIMEOUT = float(env_str("TMDB_CONNECT_TIMEOUT") or 3.0)
TMDB_READ_TIMEOUT = float(env_str("TMDB_READ_TIMEOUT") or 8.0)
TMDB_MAX_RETRIES = env_int("TMDB_MAX_RETRIES", 3)
TMDB_ENABLED = bool(TMDB_API_KEY or TMDB_READ_TOKEN)
TMDB_LANGUAGE = env_str("TMDB_LANGUAGE") or "en-US"
# Longest 429 Retry-After the client waits out; a longer one fails the call at once.
TMDB_MAX_RETRY_AFTER = float(env_str("TMDB_MAX_RETRY_AFTER") or 10.0)
# Circuit breaker shared through the cache: opens after this many consecutive failed calls...
TMDB_BREAKER_THRESHOLD = env_int("TMDB_BREAKER_THRESHOLD", 5)
# ...and lets one probe through after this many seconds.
TMDB_BREAKER_COOLDOWN = float(env_str("TMDB_BREAKER_COOLDOWN") or 30.0)
# Movies enriched per batch by the enrichment task.
TMDB_ENRICH_BATCH_SIZE = env_int("TMDB_ENRICH_BATCH_SIZE", 50)
# Retries for the on-demand fetch on a request path (GET movies/tmdb/{id}/): a client waits.
TMDB_ON_DEMAND_MAX_RETRIES = env_int("TMDB_ON_DEMAND_MAX_RETRIES", 1)
# Shows synced with their seasons and episodes per batch (never synced, or airing).
TMDB_SHOWS_BATCH_SIZE = env_int("TMDB_SHOWS_BATCH_SIZE", 20)
# People whose details (biography, birthday, images, known-for credits) are fetched per batch.
TMDB_PEOPLE_DETAILS_BATCH_SIZE = env_int("TMDB_PEOPLE_DETAILS_BATCH_SIZE", 20)
