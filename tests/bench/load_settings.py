"""Settings for the load stage of `make bench` (tests/bench/load.py), never for a site.

The project's own settings with the bench's bare view added to its URLs. With a shared
cache (CACHE_URL, Redis), the production settings, as a deployment runs them; without
one, production refuses to start (rate limits need a cache every process shares), so the
local settings with DEBUG off, and the report says which.
"""

import os
from pathlib import Path

from config.env import env_str

if env_str("CACHE_URL"):
    from config.settings.production import *  # noqa: F403

else:
    from config.settings.local import *  # noqa: F403

    DEBUG = False
    # Served by the project's own Python, as production would, not the autoreloading finder.
    WHITENOISE_AUTOREFRESH = False

# A folder of the bench's own: production serves the manifest the bench collects there.
STATIC_ROOT = Path(os.environ["BENCH_STATIC_ROOT"])
ROOT_URLCONF = "tests.bench.load_urls"
# Keys of this run only, so nothing another run left in the same Redis database is read.
KEY_PREFIX = env_str("BENCH_CACHE_PREFIX", "carevoice-bench-load")
CACHES["default"]["KEY_PREFIX"] = KEY_PREFIX  # noqa: F405
