"""Image URLs from TMDb paths. The base URL comes from TMDb's /configuration when synced."""

from django.conf import settings

from apps.core.cache import cache_get

IMAGE_BASE_CACHE_KEY = "tmdb:image_base_url"
DEFAULT_IMAGE_BASE_URL = "https://image.tmdb.org/t/p/"


def image_base_url() -> str:
    return cache_get(IMAGE_BASE_CACHE_KEY) or getattr(
        settings, "TMDB_IMAGE_BASE_URL", DEFAULT_IMAGE_BASE_URL
    )


def image_url(path: str | None, size: str = "w500", base: str | None = None) -> str | None:
    if not path:
        return None
    if path.startswith(("http://", "https://")):
        return path
    return f"{base or image_base_url()}{size}{path}"
