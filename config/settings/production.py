"""Settings for a deployment. Refuses to start unless it is safe to."""

from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_str

from .base import *  # noqa: F403
from .base import DATABASE_URL, DEBUG, SECRET_KEY

_KNOWN_UNSAFE_KEYS = {"", "change-me", "local-development-only-not-secret", "test-only-not-secret"}

if DEBUG:
    raise ImproperlyConfigured("DJANGO_DEBUG must be off in production.")
if SECRET_KEY in _KNOWN_UNSAFE_KEYS or len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY must be set to a random value of at least 50 characters "
        "(python -c 'import secrets; print(secrets.token_urlsafe(64))')."
    )
if not DATABASE_URL:
    raise ImproperlyConfigured("DATABASE_URL must name the PostgreSQL database in production.")

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# Behind a proxy that terminates TLS, set SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO.
_proxy_header = env_str("SECURE_PROXY_SSL_HEADER")
SECURE_PROXY_SSL_HEADER = (_proxy_header, "https") if _proxy_header else None
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"
# Production must share its cache between processes (CACHE_URL), so the check that
# refuses a process-local cache stays on. Django's own Redis cache is atomic for the
# counters django-ratelimit uses, though that package names only django-redis.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]
