"""Settings shared by every environment. Everything that varies comes from the environment."""

from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from config.settings.env import (
    cache_config,
    databases_from_env,
    env_bool,
    env_float,
    env_int,
    env_list,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("VAR_DIR") or BASE_DIR / "var")
SHARED_DIR = Path(env_str("SHARED_DIR") or BASE_DIR.parent / "shared")

SECRET_KEY = env_str("SECRET_KEY") or "dev-only-insecure-key-change-me-0123456789abcdefghijklmnop"
DEBUG = False
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "django_prometheus",
    "apps.core",
    "apps.accounts",
    "apps.catalog",
    "apps.tmdb",
    "apps.interactions",
    "apps.movielens",
    "apps.recommendations",
    "apps.feed",
    "apps.notifications",
    "apps.analytics",
]

MIDDLEWARE = [
    "apps.core.middleware.RequestContextMiddleware",
    "apps.core.metrics.RequestMetricsMiddleware",
    "apps.analytics.timings.RequestTimingMiddleware",
    # JSON answers gzip-compressed for clients that accept it (issue 11.19); the anonymous fast
    # path sends its own compressed bytes, which this leaves alone (apps.core.fastpath).
    "django.middleware.gzip.GZipMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    # Vary: Authorization on API answers, Cache-Control: private on per-user ones.
    "apps.core.private_answers.PrivateAnswersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Django's MessageMiddleware, its storage built only when a message is used (the admin).
    "apps.core.middleware.LazyMessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "apps.core.middleware.DatabaseUnavailableMiddleware",
    # Innermost: a safe request a failed replica answered 503 is answered from the primary.
    "apps.core.middleware.ReplicaRetryMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"
AUTH_USER_MODEL = "accounts.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Databases: primary, optional analytics database, optional read replicas (see apps.core.routers).
DATABASES, DATABASE_REPLICAS = databases_from_env(VAR_DIR / "db.sqlite3")
DATABASE_ROUTERS = ["apps.core.routers.DatabaseRouter"]
# Read replicas (apps.core.replicas): skipped when lagging more than this, checked this often
# per process; a user who wrote reads from the primary this long (longer than the lag allowed).
DATABASE_REPLICA_MAX_LAG_SECONDS = env_float("DATABASE_REPLICA_MAX_LAG_SECONDS", 2.0)
DATABASE_REPLICA_CHECK_SECONDS = env_float("DATABASE_REPLICA_CHECK_SECONDS", 1.0)
DATABASE_READ_YOUR_WRITES_SECONDS = max(
    env_float("DATABASE_READ_YOUR_WRITES_SECONDS", 5.0), DATABASE_REPLICA_MAX_LAG_SECONDS + 1
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache, throttle state and Celery broker share Redis when REDIS_URL is set.
REDIS_URL = env_str("REDIS_URL")
CACHES = cache_config(REDIS_URL)
DJANGO_REDIS_IGNORE_EXCEPTIONS = True
# How long a process may answer anonymous catalog requests from its own copy of a cached answer
# (apps.core.fastpath LocalCopies) before asking the shared cache again; 0 turns local copies off.
CACHE_LOCAL_SECONDS = env_int("CACHE_LOCAL_MS", 1000) / 1000
# How long a process may authenticate a token's user from its own copy of the user's row
# (apps.accounts.authentication RecentUsers); 0 reads the row on every request.
AUTH_USER_CACHE_SECONDS = env_int("AUTH_USER_CACHE_MS", 1000) / 1000
# How long the copy of a user's row shared by every process lives in the cache
# (apps.accounts.authentication); saving the user drops it at once. Bound: when the cache cannot
# be written at that moment, a copy made before lives this long at most.
AUTH_USER_COPY_SECONDS = env_int("AUTH_USER_COPY_SECONDS", 300)
# How long a process tallies recommendation impressions before writing them to their counter
# rows (apps.recommendations.storing ImpressionTally); 0 writes them on every read.
RECOMMENDATION_IMPRESSIONS_FLUSH_SECONDS = (
    env_int("RECOMMENDATION_IMPRESSIONS_FLUSH_MS", 1000) / 1000
)
# Each error django-redis swallows is logged to this logger, whose filter lets one warning line
# through per CACHE_OUTAGE_LOG_SECONDS (apps.core.logging.OutageOncePerInterval), not a
# traceback per request.
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
DJANGO_REDIS_LOGGER = "apps.core.cache.redis"
CACHE_OUTAGE_LOG_SECONDS = env_float("CACHE_OUTAGE_LOG_SECONDS", 60.0)

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Without collectstatic (development, tests) WhiteNoise serves straight from the apps.
WHITENOISE_USE_FINDERS = env_bool("WHITENOISE_USE_FINDERS", True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Request bodies: the API takes small JSON documents; larger bodies are refused with 413.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 1024 * 1024)

# Trusted proxies in front of the app (how much of X-Forwarded-For to believe).
NUM_PROXIES = env_int("NUM_PROXIES", 0)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apps.accounts.authentication.AccountJWTAuthentication",
    ],
    # A safety net: every view declares its own (apps/core/permissions.py says how).
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["apps.core.renderers.EnvelopeJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["apps.core.parsers.JSONDepthLimitedParser"],
    "DEFAULT_PAGINATION_CLASS": "apps.core.pagination.EnvelopePagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "apps.core.exceptions.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "apps.core.throttling.AnonRateThrottle",
        "apps.core.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("THROTTLE_ANON", "120/min"),
        "user": env_str("THROTTLE_USER", "600/min"),
        "auth": env_str("THROTTLE_AUTH", "10/min"),
        # Requests that make the server call TMDb (apps.tmdb.client), per client address.
        "tmdb": env_str("THROTTLE_TMDB", "10/min"),
    },
    "NUM_PROXIES": NUM_PROXIES,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env_int("JWT_ACCESS_MINUTES", 15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env_int("JWT_REFRESH_DAYS", 7)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "ALGORITHM": "HS256",
    "SIGNING_KEY": SECRET_KEY,
    "AUTH_HEADER_TYPES": ("Bearer",),
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Movie Nexus API",
    "DESCRIPTION": (
        "Movie and TV catalog, accounts, favorites, watchlists, ratings and personalized "
        "recommendations. Every response is wrapped in the envelope "
        '`{"success": ..., "data" | "error": ..., "message": ..., "pagination": ...}`.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and docs pages are public (declared here: their views take it from this).
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # apps.core.converters.IdConverter: ids that fit a bigint.
    "PATH_CONVERTER_OVERRIDES": {
        "id": {"type": "integer", "minimum": 0, "maximum": 10**18 - 1},
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "apps.core.schema.envelope_postprocessing_hook",
        "apps.core.schema.text_parameter_postprocessing_hook",
    ],
}

CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS", [])
CORS_URLS_REGEX = r"^/api/.*$"

# Security headers that are safe everywhere; prod.py adds the HTTPS-only ones.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# Celery: Redis broker when REDIS_URL is set, else tasks run eagerly in-process.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or REDIS_URL
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 600
CELERY_TASK_SOFT_TIME_LIMIT = 540
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 2}
CELERY_TIMEZONE = "UTC"

EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Movie Nexus <no-reply@movienexus.local>")
# Links in emails: to the web front end (verification, reset, movies) and to this API itself
# (tracking pixel, click redirects, unsubscribe). Both required in production (prod.py).
FRONTEND_URL = (env_str("FRONTEND_URL") or "http://127.0.0.1:8000").rstrip("/")
PUBLIC_URL = (env_str("PUBLIC_URL") or "http://127.0.0.1:8000").rstrip("/")

LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_context": {"()": "apps.core.logging.RequestContextFilter"},
        "cache_outage": {
            "()": "apps.core.logging.OutageOncePerInterval",
            "message": "cache_unavailable",
            "window": CACHE_OUTAGE_LOG_SECONDS,
        },
        "redact_secrets": {"()": "apps.core.logging.SecretRedactingFilter"},
    },
    "formatters": {"json": {"()": "apps.core.logging.JSONFormatter"}},
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json",
            "filters": ["request_context", "redact_secrets"],
        }
    },
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
        "django.db.backends": {"level": "WARNING"},
        "apps.core.cache.redis": {"filters": ["cache_outage"]},
    },
}

PROMETHEUS_EXPORT_MIGRATIONS = False
# /metrics (apps.core.views.metrics) answers a client whose address (apps.core.context
# client_ip, so behind a proxy the real client's) is in one of these networks, or that sends
# "Authorization: Bearer <METRICS_TOKEN>"; anyone else gets a 403 (401 when a token is set).
METRICS_ALLOWED_NETWORKS = env_list("METRICS_ALLOWED_NETWORKS", ["127.0.0.1/32", "::1/128"])
METRICS_TOKEN = env_str("METRICS_TOKEN") or None
# /health/ready computes its answer at most once per this many seconds per process.
HEALTH_READY_CACHE_SECONDS = env_float("HEALTH_READY_CACHE_SECONDS", 1.0)

# The home page's streaming section for visitors without a profile country (ISO 3166-1
# alpha-2; apps/feed/sections.py).
FEED_STREAMING_COUNTRY = (env_str("FEED_STREAMING_COUNTRY") or "US").strip().upper()
if len(FEED_STREAMING_COUNTRY) != 2 or not FEED_STREAMING_COUNTRY.isalpha():
    raise ImproperlyConfigured("FEED_STREAMING_COUNTRY must be a two-letter country code.")

from config.settings.analytics import *  # noqa: E402,F403
from config.settings.notifications import *  # noqa: E402,F403
from config.settings.queues import *  # noqa: E402,F403
from config.settings.schedule import *  # noqa: E402,F403
from config.settings.tmdb import *  # noqa: E402,F403
