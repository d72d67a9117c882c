"""The TMDb v3 HTTP client: timeouts, retries with backoff, 429 handling, a shared breaker, cache.

Every call goes through ``TMDbClient.get``: a cached body is returned at once; otherwise a
request being served spends its client's ``tmdb`` throttle (TMDbThrottled, 429, once per
request; apps.core.throttling), the breaker is asked, the request is tried up to
``TMDB_MAX_RETRIES`` + 1 times (exponential backoff with jitter on timeouts, connection
errors, 5xx and malformed JSON; a 429 waits its Retry-After, bounded), and the outcome is
reported to the breaker. Failures raise TMDbUnavailable, a 404 raises TMDbNotFound; outages
are logged once per window, not per call.

No credential ever sits in a URL that httpx sees: the v4 read token travels in the
Authorization header, and the v3 key is added to the URL by ``_ApiKeyTransport`` below httpx,
so httpx's request log line, event hooks and the request an httpx error carries are all
key-free (issue 11 item 2; the log handler's redaction in apps.core.logging is the second net).
"""

import hashlib
import logging
import math
import time
import urllib.request
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import httpx
from django.conf import settings
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential_jitter,
)

from apps.catalog.cache import DETAIL_TTL, GENRES_TTL, LIST_TTL, TRENDING_TTL
from apps.catalog.images import IMAGE_BASE_CACHE_KEY
from apps.core.cache import MISSING, cache_set, versioned_get, versioned_set
from apps.core.logging import log_once
from apps.core.throttling import TMDbRateThrottle, request_throttle_wait
from apps.tmdb.breaker import CircuitBreaker
from apps.tmdb.exceptions import (
    TMDbNotConfigured,
    TMDbNotFound,
    TMDbRejected,
    TMDbThrottled,
    TMDbUnavailable,
)

logger = logging.getLogger(__name__)

RESPONSE_NAMESPACE = "tmdb:responses"
CONFIGURATION_TTL = 24 * 60 * 60
DETAIL_APPEND = "credits,videos,keywords,release_dates,watch/providers"
PERSON_APPEND = "images,combined_credits"
MOVIE_LISTS = ("popular", "top_rated", "upcoming", "now_playing")
TV_LISTS = ("popular", "top_rated")
TRENDING_WINDOWS = ("day", "week")


# 0.5 s, 1 s, 2 s... (at most 8 s), each plus up to 0.5 s of jitter so workers spread out.
_BACKOFF = wait_exponential_jitter(multiplier=0.5, max=8.0, jitter=0.5)


class _Retryable(Exception):
    """One attempt failed in a way worth retrying."""

    def __init__(self, reason: str, *, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


def _sleep(seconds: float) -> None:
    time.sleep(seconds)


def breaker() -> CircuitBreaker:
    return CircuitBreaker(
        "tmdb",
        threshold=settings.TMDB_BREAKER_THRESHOLD,
        cooldown=settings.TMDB_BREAKER_COOLDOWN,
    )


def _retry_after_seconds(response: httpx.Response) -> float:
    value = response.headers.get("Retry-After", "")
    try:
        return max(0.0, float(value))
    except ValueError:
        return 1.0


class _ApiKeyTransport(httpx.BaseTransport):
    """Adds the v3 ``api_key`` to each outgoing URL below httpx, which logs the URL it was given.

    The request httpx logs (``HTTP Request: GET ...``), passes to hooks and attaches to its
    errors is the one without the key; only the copy handed to the socket carries it.
    """

    def __init__(self, inner: httpx.BaseTransport, api_key: str) -> None:
        self.inner = inner
        self.api_key = api_key

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        keyed = httpx.Request(
            request.method,
            request.url.copy_merge_params({"api_key": self.api_key}),
            headers=request.headers,
            stream=request.stream,
            extensions=request.extensions,
        )
        return self.inner.handle_request(keyed)

    def close(self) -> None:
        self.inner.close()


def _environment_transport(base_url: str) -> httpx.HTTPTransport:
    """A transport honouring HTTP(S)_PROXY / NO_PROXY as httpx does when it builds its own (it
    ignores them once it is handed a transport, as the key transport is)."""
    url = httpx.URL(base_url)
    proxies = urllib.request.getproxies()
    proxy = proxies.get(url.scheme) or proxies.get("all")
    if proxy and urllib.request.proxy_bypass(url.host):
        proxy = None
    if proxy and "://" not in proxy:
        proxy = f"http://{proxy}"
    return httpx.HTTPTransport(proxy=proxy or None)


class TMDbClient:
    """A thin client for the endpoints the sync needs. Construct per use; it holds no sockets."""

    def __init__(
        self,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        read_token: str | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] | None = None,
        max_retries: int | None = None,
    ) -> None:
        self.base_url = (base_url or settings.TMDB_BASE_URL).rstrip("/")
        self.api_key = settings.TMDB_API_KEY if api_key is None else api_key
        self.read_token = settings.TMDB_READ_TOKEN if read_token is None else read_token
        self.transport = transport
        self.sleep = sleep or _sleep
        self.max_retries = settings.TMDB_MAX_RETRIES if max_retries is None else max_retries
        self.breaker = breaker()

    @property
    def configured(self) -> bool:
        return bool(self.api_key or self.read_token)

    # Endpoints -----------------------------------------------------------------------------

    def movie_details(self, tmdb_id: int) -> dict:
        return self.get(
            f"/movie/{int(tmdb_id)}", params={"append_to_response": DETAIL_APPEND}, ttl=DETAIL_TTL
        )

    def movie_list(self, name: str, *, page: int = 1) -> dict:
        if name not in MOVIE_LISTS:
            raise ValueError(f"unknown movie list {name!r}")
        return self.get(f"/movie/{name}", params={"page": page}, ttl=LIST_TTL)

    def trending_movies(self, window: str, *, page: int = 1) -> dict:
        if window not in TRENDING_WINDOWS:
            raise ValueError(f"unknown trending window {window!r}")
        return self.get(f"/trending/movie/{window}", params={"page": page}, ttl=TRENDING_TTL)

    def tv_list(self, name: str, *, page: int = 1) -> dict:
        if name not in TV_LISTS:
            raise ValueError(f"unknown TV list {name!r}")
        return self.get(f"/tv/{name}", params={"page": page}, ttl=LIST_TTL)

    def tv_details(self, tmdb_id: int) -> dict:
        return self.get(f"/tv/{int(tmdb_id)}", ttl=DETAIL_TTL)

    def tv_season(self, tmdb_id: int, season_number: int) -> dict:
        return self.get(f"/tv/{int(tmdb_id)}/season/{int(season_number)}", ttl=DETAIL_TTL)

    def person_details(self, tmdb_id: int) -> dict:
        return self.get(
            f"/person/{int(tmdb_id)}", params={"append_to_response": PERSON_APPEND}, ttl=DETAIL_TTL
        )

    def person_popular(self, *, page: int = 1) -> dict:
        return self.get("/person/popular", params={"page": page}, ttl=LIST_TTL)

    def movie_genres(self) -> dict:
        return self.get("/genre/movie/list", ttl=GENRES_TTL)

    def tv_genres(self) -> dict:
        return self.get("/genre/tv/list", ttl=GENRES_TTL)

    def configuration(self) -> dict:
        """TMDb's /configuration; its secure image base URL is stored for apps.catalog.images."""
        body = self.get("/configuration", ttl=CONFIGURATION_TTL)
        images = body.get("images") if isinstance(body, dict) else None
        base = images.get("secure_base_url") if isinstance(images, dict) else None
        if isinstance(base, str) and base.startswith("https://"):
            cache_set(IMAGE_BASE_CACHE_KEY, base, CONFIGURATION_TTL)
        return body

    # Transport -----------------------------------------------------------------------------

    def get(self, path: str, *, params: dict[str, Any] | None = None, ttl: int = 0) -> dict:
        """The JSON body of GET ``path`` (cached for ``ttl`` seconds when positive)."""
        if not self.configured:
            raise TMDbNotConfigured()
        params = {"language": settings.TMDB_LANGUAGE, **(params or {})}
        request_id = f"{self.base_url}{path}?{urlencode(sorted(params.items()))}"
        parts = (hashlib.sha256(request_id.encode()).hexdigest(),)
        version = 0
        if ttl > 0:
            cached_body, version = versioned_get(RESPONSE_NAMESPACE, parts)
            if cached_body is not MISSING:
                return cached_body
        # A request about to make us call TMDb spends its client's THROTTLE_TMDB (before the
        # breaker, so a refused request never takes the half-open probe).
        wait = request_throttle_wait(TMDbRateThrottle)
        if wait is not None:
            raise TMDbThrottled(headers={"Retry-After": str(max(1, math.ceil(wait)))})
        if not self.breaker.allow():
            log_once(logger, "tmdb_breaker_rejected", "tmdb_breaker_open_call_refused")
            raise TMDbUnavailable("TMDb is unavailable (circuit open); try again later.")
        try:
            body = self._get_with_retries(path, params)
        except TMDbNotFound:
            self.breaker.record_success()
            raise
        except TMDbUnavailable as exc:
            if exc.counts_as_failure:
                self.breaker.record_failure()
            raise
        self.breaker.record_success()
        if ttl > 0:
            versioned_set(RESPONSE_NAMESPACE, parts, body, ttl, version)
        return body

    def _get_with_retries(self, path: str, params: dict[str, Any]) -> dict:
        retrying = Retrying(
            stop=stop_after_attempt(max(0, self.max_retries) + 1),
            wait=self._wait,
            retry=retry_if_exception_type(_Retryable),
            sleep=self.sleep,
            reraise=True,
        )
        try:
            with self._http() as http:
                return retrying(self._attempt, http, path, params)
        except _Retryable as exc:
            log_once(logger, f"tmdb_failed:{exc.reason}", "tmdb_unavailable", reason=exc.reason)
            raise TMDbUnavailable(f"TMDb is unavailable ({exc.reason}); try again later.") from exc

    def _wait(self, retry_state: RetryCallState) -> float:
        exc = retry_state.outcome.exception() if retry_state.outcome else None
        if isinstance(exc, _Retryable) and exc.retry_after is not None:
            return exc.retry_after
        return _BACKOFF(retry_state)

    def _http(self) -> httpx.Client:
        headers = {"Accept": "application/json"}
        if self.read_token:
            headers["Authorization"] = f"Bearer {self.read_token}"
        timeout = httpx.Timeout(settings.TMDB_READ_TIMEOUT, connect=settings.TMDB_CONNECT_TIMEOUT)
        transport = self.transport
        if self.api_key and not self.read_token:
            inner = transport or _environment_transport(self.base_url)
            transport = _ApiKeyTransport(inner, self.api_key)
        return httpx.Client(
            base_url=self.base_url, headers=headers, timeout=timeout, transport=transport
        )

    def _attempt(self, http: httpx.Client, path: str, params: dict[str, Any]) -> dict:
        try:
            response = http.get(self.base_url + path, params=params)
        except httpx.TimeoutException as exc:
            raise _Retryable("timeout") from exc
        except httpx.TransportError as exc:
            raise _Retryable("connection_error") from exc
        status = response.status_code
        if status == 404:
            raise TMDbNotFound()
        if status in (401, 403):
            log_once(logger, "tmdb_unauthorized", "tmdb_credentials_rejected", status=status)
            raise TMDbRejected("TMDb rejected the configured credentials.")
        if status == 429:
            retry_after = _retry_after_seconds(response)
            if retry_after > settings.TMDB_MAX_RETRY_AFTER:
                log_once(logger, "tmdb_rate_limited", "tmdb_rate_limited", retry_after=retry_after)
                raise TMDbUnavailable(
                    "TMDb is rate limiting; try again later.",
                    headers={"Retry-After": str(int(retry_after) + 1)},
                )
            raise _Retryable("rate_limited", retry_after=retry_after)
        if status >= 500:
            raise _Retryable(f"http_{status}")
        if status >= 400:
            log_once(logger, f"tmdb_http_{status}", "tmdb_request_rejected", status=status)
            raise TMDbRejected(f"TMDb refused the request (HTTP {status}).")
        try:
            body = response.json()
        except ValueError as exc:
            raise _Retryable("malformed_json") from exc
        if not isinstance(body, dict):
            raise _Retryable("malformed_json")
        return body
