"""Default settings: the embedded installation (SQLite in WAL mode under ``TONGBAN_HOME``).

Everything an operator may change comes from a ``TONGBAN_*`` environment variable with a safe
default; see the configuration table in README.md and docs/configuration.md.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

from tongban.settings.env import env_bool, env_int, env_list, env_str, generated_secret, home_dir
from tongban.settings.quiet import silence_known_warnings

silence_known_warnings()

PACKAGE_DIR = Path(__file__).resolve().parent.parent
HOME = home_dir()

DEBUG = env_bool("TONGBAN_DEBUG", False)
SECRET_KEY = env_str("TONGBAN_SECRET_KEY", "") or generated_secret(HOME, "django_secret_key")
# A second, separate key seals the audit trail's head so a database-only attacker cannot
# recompute the chain after deleting its last entries.
AUDIT_HMAC_KEY = env_str("TONGBAN_AUDIT_KEY", "") or generated_secret(HOME, "audit_hmac_key")
# Encrypts the private keys of the issuing CA, the TSA and every seal at rest (the root CA's key
# is encrypted with the operator's passphrase instead, which is never stored).
SEAL_KEY = env_str("TONGBAN_SEAL_KEY", "") or generated_secret(HOME, "seal_key")
# Where the public reaches the platform: verification links and QR codes on sealed documents.
PUBLIC_URL = env_str("TONGBAN_PUBLIC_URL", "http://127.0.0.1:8000")

ALLOWED_HOSTS = env_list("TONGBAN_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("TONGBAN_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "csp",
    "ninja",
    "tongban.core",
    "tongban.audit",
    "tongban.identity",
    "tongban.org",
    "tongban.notifications",
    "tongban.seals",
    "tongban.workflow",
    "tongban.records",
    "tongban.documents",
    "tongban.api",
    "tongban.web",
    "tongban.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "tongban.web.middleware.PlatformLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before anything reads the body (CsrfViewMiddleware.process_view, the views), after the
    # language and the user are known: its 413 is in the person's language.
    "tongban.web.middleware.RequestSizeLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "tongban.identity.middleware.IdleTimeoutMiddleware",
    "tongban.audit.middleware.AuditContextMiddleware",
    "tongban.identity.middleware.PasswordRotationMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "tongban.urls"
WSGI_APPLICATION = "tongban.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tongban.web.context_processors.workbench",
            ],
        },
    },
]

DATABASE_URL = env_str("TONGBAN_DATABASE_URL", "")
# SQLite reads the database through a memory map of this size: the pages are the operating
# system's file cache, shared by every worker process, and a search over a large full-text
# index reads faster (bench/search.py). 0 turns it off.
SQLITE_MMAP_MB = env_int("TONGBAN_SQLITE_MMAP_MB", 1024)
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(HOME / "tongban.sqlite3"),
            "OPTIONS": {
                # IMMEDIATE transactions serialise writers up front, so the audit chain and
                # the numbering sequences never read a stale head (see docs/adr/0002).
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
                    f"PRAGMA mmap_size={max(0, SQLITE_MMAP_MB) * 1024 * 1024};"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "identity.User"
AUTHENTICATION_BACKENDS = ["tongban.identity.backends.StaffBackend"]
LOGIN_URL = "identity:sign_in"
LOGIN_REDIRECT_URL = "web:workbench"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "tongban.identity.passwords.LengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "tongban.identity.passwords.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "tongban.identity.passwords.HistoryValidator", "OPTIONS": {"remember": 5}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
]

# Security policy (等保 2.0 level 3, application level).
TONGBAN_LOCKOUT_THRESHOLD = env_int("TONGBAN_LOCKOUT_THRESHOLD", 5)
TONGBAN_LOCKOUT_MINUTES = env_int("TONGBAN_LOCKOUT_MINUTES", 15)
# Lockout by source as well as by login (identity/lockout.py): failures from one address, and
# failures of one login from addresses it never signed in from.
TONGBAN_LOCKOUT_SOURCE_THRESHOLD = env_int("TONGBAN_LOCKOUT_SOURCE_THRESHOLD", 20)
TONGBAN_LOCKOUT_ACCOUNT_THRESHOLD = env_int("TONGBAN_LOCKOUT_ACCOUNT_THRESHOLD", 20)
TONGBAN_KNOWN_SOURCE_DAYS = env_int("TONGBAN_KNOWN_SOURCE_DAYS", 90)
# Shown on the sign-in page beside "ask the system administrator": a phone number, an address.
TONGBAN_HELPDESK = env_str("TONGBAN_HELPDESK", "")
TONGBAN_PASSWORD_MAX_AGE_DAYS = env_int("TONGBAN_PASSWORD_MAX_AGE_DAYS", 90)
TONGBAN_SESSION_IDLE_MINUTES = env_int("TONGBAN_SESSION_IDLE_MINUTES", 30)
TONGBAN_TOKEN_DAYS = env_int("TONGBAN_TOKEN_DAYS", 30)
TONGBAN_TRUSTED_PROXY = env_bool("TONGBAN_TRUSTED_PROXY", False)

SESSION_COOKIE_AGE = 12 * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp) on every response: scripts, styles, fonts and images come
# from the platform itself. No page has an inline script, an event-handler attribute or a style
# attribute (tests/web/test_csp.py keeps it so); htmx and bpmn-js are served from /static/.
# ``data:`` images and fonts: bpmn-js's embedded icon font and logo, Swagger UI's icons, the empty
# favicon of base.html. ``connect-src 'self'``: htmx and the modeler fetch from the platform only.
CONTENT_SECURITY_POLICY: dict[str, dict[str, object]] = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = HOME / "static"
STATIC_ROOT.mkdir(exist_ok=True)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

FILES_ROOT = Path(env_str("TONGBAN_FILES_DIR", str(HOME / "files")))
# The largest request body with files (a batch of files to import, a PDF to seal): 413 above it.
MAX_REQUEST_BYTES = env_int("TONGBAN_MAX_UPLOAD_MB", 512) * 1024 * 1024
# The largest body without files (JSON, form fields, a diagram saved from the modeler), and the
# fields of a body with files together: Django holds them in memory. 413 above it.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("TONGBAN_MAX_FORM_MB", 2) * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("TONGBAN_LOG_LEVEL", "INFO")},
    # WeasyPrint and fontTools report every layout step at INFO: noise in a server's log.
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "spiff": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
