"""Settings for the test suite: fast hashing, the same policies, SQLite or TONGBAN_DATABASE_URL."""

import os
import tempfile

# Never touch the developer's ./var: tests get a home of their own.
os.environ.setdefault("TONGBAN_HOME", tempfile.mkdtemp(prefix="tongban-test-"))

from tongban.settings.base import *  # noqa: F403
from tongban.settings.base import DATABASES

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["NAME"] = ":memory:"
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}
