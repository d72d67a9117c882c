"""Production: refuses to start without its secrets; HTTPS hardening on by default.

Each switch that breaks a plain-HTTP run on loopback can be turned off from the environment
(SECURE_SSL_REDIRECT, SESSION_COOKIE_SECURE, CSRF_COOKIE_SECURE, SECURE_HSTS_SECONDS=0), so the
production configuration can be benchmarked locally with no proxy in front.
"""

from config.settings.base import *  # noqa: F403
from config.settings.base import NUM_PROXIES, SIMPLE_JWT
from config.settings.env import env_bool, env_int, env_list, env_required, env_url_required

DEBUG = False
# collectstatic has run: serve the hashed, compressed files from STATIC_ROOT only.
WHITENOISE_USE_FINDERS = env_bool("WHITENOISE_USE_FINDERS", False)
SECRET_KEY = env_required("SECRET_KEY")
if len(SECRET_KEY) < 50:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters long in production.")
SIMPLE_JWT = {**SIMPLE_JWT, "SIGNING_KEY": SECRET_KEY}
env_required("ALLOWED_HOSTS")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
if NUM_PROXIES > 0:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The health probes are called over plain HTTP by orchestrators on the private network.
SECURE_REDIRECT_EXEMPT = [r"^health/", r"^metrics$"]

# Links in emails: without these, every verification and reset link would point to a dev host.
FRONTEND_URL = env_url_required("FRONTEND_URL")
PUBLIC_URL = env_url_required("PUBLIC_URL")

# EMAIL_URL: smtp://user:pass@host:port, smtp+tls://..., smtps://..., or console: to print mail.
EMAIL_URL = env_required("EMAIL_URL")
if EMAIL_URL.startswith("console:"):
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
else:
    from urllib.parse import unquote, urlparse

    _email = urlparse(EMAIL_URL)
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _email.hostname or "localhost"
    EMAIL_PORT = _email.port or 25
    EMAIL_HOST_USER = unquote(_email.username or "")
    EMAIL_HOST_PASSWORD = unquote(_email.password or "")
    EMAIL_USE_TLS = _email.scheme in {"smtp+tls", "submission"}
    EMAIL_USE_SSL = _email.scheme == "smtps"
    EMAIL_TIMEOUT = 10
