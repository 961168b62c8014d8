"""Settings for Tỉnh ủy số, read from the environment (see ``docs/settings.md``)."""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from tinhuy.env import env_bool, env_int, env_list, env_str, secret_key_from

BASE_DIR = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(env_str("TINHUY_VAR_DIR", str(BASE_DIR / "var")))

SECRET_KEY = secret_key_from(VAR_DIR)
DEBUG = env_bool("TINHUY_DEBUG", False)
ALLOWED_HOSTS = env_list("TINHUY_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "tinhuy.audit",
    "tinhuy.accounts",
    "tinhuy.org",
    "tinhuy.ops",
    "tinhuy.study",
    "tinhuy.register",
    "tinhuy.search",
    "tinhuy.gazetteer",
    "tinhuy.meetings",
    "tinhuy.programs",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Before any view or CSRF check reads the input: NUL and other control characters are 400.
    "tinhuy.middleware.RefuseControlCharactersMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Permissions-Policy everywhere; Cache-Control: private on every answer to a logged-in person.
    "tinhuy.middleware.PrivacyHeadersMiddleware",
    # Content-Security-Policy (django-csp): scripts from this site's files only.
    "csp.middleware.CSPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Renders with the user, the messages and the language already set.
    "tinhuy.middleware.MethodNotAllowedPageMiddleware",
    # Last, as django-axes asks: it turns a lock-out into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "tinhuy.urls"
WSGI_APPLICATION = "tinhuy.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tinhuy.org.context_processors.scope",
            ],
        },
    },
]

# --- Database --------------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        env_str("TINHUY_DATABASE_URL", f"sqlite:///{VAR_DIR / 'tinhuy.sqlite3'}"),
        conn_max_age=env_int("TINHUY_DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers go on while one writer writes; IMMEDIATE takes the write lock at the
        # start of a transaction, so two writers queue on the busy timeout instead of failing
        # with "database is locked" half-way through.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
        "PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth ------------------------------------------------------------------------------------
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Lock-out after repeated failed log-ins (django-axes): per user name and address together, so
# one guessing address cannot lock a whole office out.
AXES_FAILURE_LIMIT = env_int("TINHUY_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("TINHUY_LOGIN_COOLOFF_MINUTES", 15) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Renders that template with the real wait in minutes and the time it ends (tinhuy/errors.py).
AXES_LOCKOUT_CALLABLE = "tinhuy.errors.locked_out"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# Behind an HTTPS reverse proxy (nginx on the same machine): trust its X-Forwarded-Proto header,
# send cookies over HTTPS only, and accept forms posted from the public origin.
# Browsers are then told to use HTTPS only (HSTS, a year by default) and plain HTTP is
# redirected.
if env_bool("TINHUY_HTTPS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("TINHUY_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("TINHUY_HSTS_SECONDS", 365 * 24 * 60 * 60)
    # The host's own subdomains (not its parent's): safe to include by default. Preloading is
    # the operator's commitment to the browsers' list (hstspreload.org): off until they make it.
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("TINHUY_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("TINHUY_HSTS_PRELOAD", False)
CSRF_TRUSTED_ORIGINS = env_list("TINHUY_CSRF_TRUSTED_ORIGINS", [])
# A form sent with an expired token: a Vietnamese page, or a fresh log-in form (tinhuy/errors.py).
CSRF_FAILURE_VIEW = "tinhuy.errors.csrf_failure"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Scripts only from this site's own files (no inline script, no eval: tinhuy/static/tinhuy.js
# carries the few shared behaviours); styles may be inline (style attributes in templates, the
# indicator style htmx adds); nothing may frame a page or receive a form elsewhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- Language, time --------------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_TZ = True
FORMAT_MODULE_PATH = ["tinhuy.formats"]

# --- Static files ----------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on every start without it
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
# Uploaded gazetteer images. Served by the application itself (tinhuy/urls.py): the files are
# few and small; a large deployment lets the reverse proxy serve this folder instead.
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"  # `make run` serves without a collectstatic step.

EMAIL_BACKEND = env_str("TINHUY_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("TINHUY_DEFAULT_FROM_EMAIL", "Tỉnh ủy số <tinhuyso@localhost>")
EMAIL_HOST = env_str("TINHUY_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("TINHUY_EMAIL_PORT", 25)

# --- Tỉnh ủy số ------------------------------------------------------------------------------
# Largest structure file an office may upload or import.
TINHUY_IMPORT_MAX_BYTES = env_int("TINHUY_IMPORT_MAX_BYTES", 5 * 1024 * 1024)
# A document attached to a draft (PDF, Word, Excel, an image); kept under VAR_DIR/private and
# served only through views that check who may see the draft.
TINHUY_ATTACHMENT_MAX_BYTES = env_int("TINHUY_ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024)
# An .xlsx is a zip archive: what it may unpack to (a 780 KB "zip bomb" holds 201 MB of rows),
# and the data rows one file may hold. Both are checked before the sheet is parsed.
TINHUY_IMPORT_MAX_UNPACKED_BYTES = env_int("TINHUY_IMPORT_MAX_UNPACKED_BYTES", 64 * 1024 * 1024)
TINHUY_IMPORT_MAX_ROWS = env_int("TINHUY_IMPORT_MAX_ROWS", 200_000)
# How long an API token lives (days); `tinhuy token create --days` may ask for less. A password
# change revokes a person's tokens and calendar links.
TINHUY_API_TOKEN_DAYS = env_int("TINHUY_API_TOKEN_DAYS", 90)
if not 1 <= TINHUY_API_TOKEN_DAYS <= 366:
    raise ImproperlyConfigured("TINHUY_API_TOKEN_DAYS must be between 1 and 366.")
# At the top of a structure of many provinces (Structure.roll_up_by_part), each province's
# campaign progress is kept in the worker's memory while its data stands: how many such parts
# (a national view of one date is 34; each about 1,500 units' standings).
TINHUY_PROGRESS_PARTS_KEPT = env_int("TINHUY_PROGRESS_PARTS_KEPT", 136)
# … and in the database, shared by every worker (tinhuy.study.parts): how many per plan, the
# newest (a national view of one date and language is 34).
TINHUY_PROGRESS_PARTS_STORED = env_int("TINHUY_PROGRESS_PARTS_STORED", 340)
# "tantivy": an embedded index beside the database, the default with SQLite (one machine; at
# 100,000 entries a few ms where FTS5 takes a hundred: docs/benchmarks.md). "database": SQLite
# FTS5 or PostgreSQL full text, in the database; the default with PostgreSQL, which several
# application servers may share (an index per server would diverge).
TINHUY_SEARCH_ENGINE = env_str(
    "TINHUY_SEARCH_ENGINE",
    "tantivy" if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" else "database",
)
if TINHUY_SEARCH_ENGINE not in ("database", "tantivy"):
    raise ImproperlyConfigured("TINHUY_SEARCH_ENGINE must be “database” or “tantivy”.")
TINHUY_SEARCH_INDEX_DIR = env_str("TINHUY_SEARCH_INDEX_DIR", str(VAR_DIR / "search-index"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("TINHUY_LOG_LEVEL", "WARNING")},
}
