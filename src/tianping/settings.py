"""Django settings for Tianping, read from the environment (one file, no settings package)."""

import os
import secrets
import tempfile
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
_CHECKOUT = BASE_DIR.parent.parent
PROJECT_DIR = Path(
    os.environ.get(
        "TIANPING_HOME", _CHECKOUT if (_CHECKOUT / "pyproject.toml").exists() else Path.cwd()
    )
)
VAR_DIR = Path(os.environ.get("TIANPING_VAR", PROJECT_DIR / "var"))


TRUE_WORDS, FALSE_WORDS = ("1", "true", "yes", "on"), ("", "0", "false", "no", "off")


def envbool(name: str, default: str = "False") -> bool:
    """A yes/no setting; a value it does not know is refused, never read as "no"."""
    value = os.environ.get(name, default).strip().lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(
        f"{name}={os.environ.get(name)!r}: use one of {', '.join(TRUE_WORDS + FALSE_WORDS[1:])}"
    )


def envint(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _secret_key() -> str:
    # A key generated once and kept under var/, so sessions survive restarts without setup.
    if key := os.environ.get("TIANPING_SECRET_KEY"):
        return key
    path = VAR_DIR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    path.write_text(key)
    path.chmod(0o600)
    return key


SECRET_KEY = _secret_key()
DEBUG = envbool("TIANPING_DEBUG")
ALLOWED_HOSTS = envlist("TIANPING_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = envlist("TIANPING_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "treebeard",
    "django_htmx",
    "ninja",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks.backends.database",
    "tianping",
    "tianping.orgs",
    "tianping.people",
    "tianping.accounts",
    "tianping.activities",
    "tianping.recruitment",
    "tianping.dues",
    "tianping.committees",
    "tianping.learning",
    "tianping.service",
    "tianping.talent",
    "tianping.points",
    "tianping.reports",
    "tianping.audit",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "tianping.accounts.middleware.ScopeMiddleware",
    "tianping.lib.script.TraditionalScriptMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tianping.urls"
WSGI_APPLICATION = "tianping.wsgi.application"

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
                "tianping.accounts.context_processors.scope",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("TIANPING_DATABASE_URL") or f"sqlite:///{VAR_DIR / 'tianping.db'}"
if DATABASE_URL.startswith("sqlite:///") and not DATABASE_URL.startswith("sqlite:////"):
    VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # The test database is a file in RAM (where /dev/shm exists), one per process: Django
    # would otherwise use SQLite's shared-cache in-memory database, whose bulk writes are
    # several times slower (building the demo took 72 s there against 11 s here). The
    # browser journeys keep the in-memory one (TIANPING_TEST_SQLITE=memory), whose single
    # connection the live server's threads share with the test.
    _ram = Path("/dev/shm")
    if os.environ.get("TIANPING_TEST_SQLITE", "file") != "memory":
        DATABASES["default"]["TEST"] = {
            "NAME": os.environ.get("TIANPING_TEST_SQLITE_PATH")
            or str(
                (
                    _ram
                    if _ram.is_dir() and os.access(_ram, os.W_OK)
                    else Path(tempfile.gettempdir())
                )
                / f"tianping-test-{os.getpid()}.sqlite3"
            )
        }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "tianping.accounts.passwords.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "reports:dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"

# Lock-out after repeated failed logins (django-axes): per username and client address
# together, so one clerk's typos do not lock a courthouse behind one NAT address, and an
# attacker elsewhere cannot lock a clerk (or the platform admin) out.
AXES_FAILURE_LIMIT = envint("TIANPING_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = envint("TIANPING_LOGIN_COOLOFF_MINUTES", 30) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_VERBOSE = False
# The client address is the connection's, unless the deployment runs behind its own proxy:
# then the last X-Forwarded-For entry, the one that proxy appended (never trusted by
# default: a client could forge it). One function, shared by the lock-out and the limits.
BEHIND_PROXY = envbool("TIANPING_BEHIND_PROXY")
AXES_CLIENT_IP_CALLABLE = "tianping.accounts.throttle.client_address"
# Per-address limits (accounts/throttle.py), counted before the password hash runs: log-in
# attempts a minute (a successful log-in gives its attempt back), and bad API tokens a minute.
TIANPING_LOGIN_RATE_PER_MINUTE = envint("TIANPING_LOGIN_RATE_PER_MINUTE", 20)
TIANPING_TOKEN_FAILURES_PER_MINUTE = envint("TIANPING_TOKEN_FAILURES_PER_MINUTE", 20)
# The counters live in the database cache table (made by a migration), which every
# gunicorn worker and every app server shares; nothing else is cached.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "tianping_cache",
        "OPTIONS": {"MAX_ENTRIES": 50000},
    }
}
# Behind a TLS-terminating proxy: trust its X-Forwarded-Proto, and tell browsers HTTPS only.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
SECURE_HSTS_SECONDS = envint("TIANPING_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = False

# Content-Security-Policy on every response (django-csp): scripts only from our own static
# files (no inline script, no eval: page behaviours live in static/tianping/site.js and
# htmx runs with allowEval off). Inline styles stay allowed: the templates' style=""
# attributes and the SVG that ECharts draws set them, and a style cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = envbool("TIANPING_SECURE_COOKIES")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_AGE = envint("TIANPING_SESSION_SECONDS", 8 * 3600)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("zh-hant", "繁體中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("TIANPING_MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve static files straight from the apps, so `tianping serve` needs no collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("TIANPING_LOG_LEVEL", "WARNING")},
}

# Long work (a big import's write, later reports and reminders) runs as tasks in
# `tianping worker` processes, queued in the database itself: SQLite and PostgreSQL need
# nothing more. TIANPING_TASKS=immediate runs each task inside the request instead.
TASKS = {
    "default": {
        "BACKEND": {
            "database": "django_tasks.backends.database.DatabaseBackend",
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
        }[os.environ.get("TIANPING_TASKS", "database")]
    }
}
# A sheet with at least this many rows is written by a task, not in the request.
TIANPING_TASK_ROWS = envint("TIANPING_TASK_ROWS", 2000)
# A task still "running" after this long lost its worker (killed, machine restarted): the
# next worker to start marks it failed, so the page that polls it stops waiting.
TIANPING_TASK_STALE_MINUTES = envint("TIANPING_TASK_STALE_MINUTES", 60)
# Finished task results (an import's summary) are kept this long, then pruned by a worker.
TIANPING_TASK_KEEP_DAYS = envint("TIANPING_TASK_KEEP_DAYS", 14)

TIANPING_PAGE_SIZE = 50
