"""TMDb settings (imported by base.py). With neither key set, TMDb sync is disabled."""

from config.settings.env import env_int, env_str

TMDB_API_KEY = env_str("TMDB_API_KEY") or ""
TMDB_READ_TOKEN = env_str("TMDB_READ_TOKEN") or ""
TMDB_BASE_URL = (env_str("TMDB_BASE_URL") or "https://api.themoviedb.org/3").rstrip("/")
TMDB_CONNECT_TIMEOUT = float(env_str("TMDB_CONNECT_TIMEOUT") or 3.0)
TMDB_READ_TIMEOUT = float(env_str("TMDB_READ_TIMEOUT") or 8.0)
TMDB_MAX_RETRIES = env_int("TMDB_MAX_RETRIES", 3)
TMDB_ENABLED = bool(TMDB_API_KEY or TMDB_READ_TOKEN)
