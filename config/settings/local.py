"""Settings for a developer's machine: `make run`."""

import os
import sys

from config.env import env_bool, env_str, served_site_url
from config.settings._embedded import database

from .base import *  # noqa: F403
from .base import DATABASE_URL, DATABASES, SITE_URL

DEBUG = env_bool("DJANGO_DEBUG", True)
SECRET_KEY = env_str("DJANGO_SECRET_KEY", "local-development-only-not-secret")  # noqa: S105
DATABASES = {**DATABASES, "default": database(DATABASES["default"], DATABASE_URL)}
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "apps.core.mail_console.ReadableConsoleBackend")
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DEMO_DATA_ALLOWED = True
# With no broker, background work runs in the web process, and a line per finished task is
# noise there; a worker (CELERY_BROKER_URL set) keeps logging each task.
if CELERY_TASK_ALWAYS_EAGER:  # noqa: F405
    LOGGING["loggers"]["celery.app.trace"] = {"level": "WARNING"}  # noqa: F405
# Unless SITE_URL says otherwise, emailed links name the address runserver serves.
if "SITE_URL" not in os.environ:
    SITE_URL = served_site_url(sys.argv) or SITE_URL
# Serve static files from the app folders without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
