"""Settings for the test suite: `make test`."""

import tempfile
from pathlib import Path

from config.settings._embedded import database

from .base import *  # noqa: F403
from .base import DATABASE_URL, DATABASES

DEBUG = False
SECRET_KEY = "test-only-not-secret"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
# The test database alone, whatever DATABASE_REPLICA_URLS says: a replica alias, even a test
# mirror, is a database that tests outside a transaction would read and must then declare.
# Tests of replicas add their own (tests/core/test_replicas.py, tests/integration/).
DATABASES = {"default": database(DATABASES["default"], DATABASE_URL)}
DATABASES["default"]["CONN_MAX_AGE"] = 0
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CELERY_TASK_ALWAYS_EAGER = True
DEMO_DATA_ALLOWED = True
# Serve static files from the app folders without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# No open data dump unless a test writes one (into its own folder).
OPEN_DATA_DIR = Path(tempfile.gettempdir()) / "carevoice-tests-no-open-data"
