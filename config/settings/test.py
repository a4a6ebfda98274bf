"""Settings for the test suite: `make test`."""

import tempfile
from pathlib import Path

from config.settings._embedded import database

from .base import *  # noqa: F403
from .base import DATABASE_URL, DATABASES

DEBUG = False
SECRET_KEY = "test-only-not-secret"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
DATABASES = {**DATABASES, "default": database(DATABASES["default"], DATABASE_URL)}
DATABASES["default"]["CONN_MAX_AGE"] = 0
# Replicas named in the environment are served as they are (a test may serve the site with
# them), but the suite makes no test database on them: it reads the default's.
for _alias in [alias for alias in DATABASES if alias != "default"]:
    DATABASES[_alias] = {**DATABASES[_alias], "CONN_MAX_AGE": 0, "TEST": {"MIRROR": "default"}}
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
